"""Checks for the exercise "etag": ``create_app(products)`` answers ``If-None-Match`` with 304.

Every check builds the learner's app over a products dict of its own and calls it in-process,
with no socket. One check runs the learner's code again in a fresh Python process, with another
hash seed, and one runs it again here in a fresh namespace, as a restarted worker would.
Nothing is timed: this exercise is about correct answers, not speed.
"""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from perflab.checking import Check, CheckFailed, Namespace
from perflab.checks import definitions_of, run_fresh, run_here, same_json
from perflab.client import asgi_client
from perflab.i18n import _

__all__ = ["CHECKS", "PRODUCTS"]

PRODUCTS: dict[int, dict[str, Any]] = {
    1: {"id": 1, "name": "Desk lamp ✓", "price": 24.5, "tags": ["light", "desk"], "in_stock": True},
    2: {"id": 2, "name": "Chair", "price": 89.0, "tags": [], "in_stock": False},
}
ID, MISSING_ID = 1, 404
PATH, MISSING_PATH = f"/products/{ID}", f"/products/{MISSING_ID}"
# New prices of the same length, so the body's length stays the same and only its content changes.
CHANGED = {**PRODUCTS[ID], "price": 27.5}
CHANGED_AGAIN = {**PRODUCTS[ID], "price": 29.5}
# A strong entity tag: opaque-tag = DQUOTE *etagc DQUOTE (RFC 9110, 8.8.3), with no W/ before it.
STRONG_ETAG = re.compile(r'"[\x21\x23-\x7e\x80-\xff]*"')
OTHER_TAGS = ['"other"', 'W/"other"', '"other", W/"another"']


def _products() -> dict[int, dict[str, Any]]:
    return copy.deepcopy(PRODUCTS)


@asynccontextmanager
async def _client(ns: Namespace, create_app: Any = None) -> AsyncIterator[httpx.AsyncClient]:
    """Yield a client wired to the learner's app over a fresh copy of PRODUCTS.

    Args:
        ns: The learner's objects.
        create_app: Another ``create_app`` to use, e.g. one run again. Defaults to the learner's.
    """
    create_app = create_app or ns.require("create_app", "def create_app(products)")
    async with asgi_client(create_app(_products())) as client:
        yield client


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _answer(response: httpx.Response) -> str:
    return _("{status} with {size} bytes of body", status=response.status_code, size=len(response.content))


async def _etag(client: httpx.AsyncClient, product: dict[str, Any] = PRODUCTS[ID]) -> str:
    """GET the product and return its ETag, or fail as not checked yet if there is none.

    Args:
        client: The client wired to the learner's app.
        product: What the product holds now. Defaults to PRODUCTS[ID].
    """
    response = await client.get(PATH)
    etag = response.headers.get("etag")
    if response.status_code != 200 or not same_json(_body(response), product) or not etag:
        raise CheckFailed(_("Not checked yet: GET {path} did not answer the product with an ETag. "
                            "Pass the first check first.", path=PATH), actual=_answer(response))
    return etag


async def _put(client: httpx.AsyncClient, product: dict[str, Any]) -> None:
    response = await client.put(PATH, json=product)
    if response.status_code != 200:
        raise CheckFailed(_("PUT {path} must store the product and answer 200. It is done in the exercise: "
                            "keep it as it is.", path=PATH), input=product, actual=_answer(response))


async def sends_a_quoted_etag(ns: Namespace) -> None:
    """Fail unless a plain GET answers 200, the product, and a strong ETag in double quotes.

    Args:
        ns: The learner's objects.
    """
    async with _client(ns) as client:
        response = await client.get(PATH)
    if response.status_code != 200 or not same_json(_body(response), PRODUCTS[ID]):
        raise CheckFailed(_("GET must answer 200 with the product as JSON."), input=f"GET {PATH}",
                          expected=PRODUCTS[ID], actual=_body(response))
    etag = response.headers.get("etag")
    if etag is None:
        raise CheckFailed(_("The answer has no ETag header. Make one from the exact body bytes, e.g. their "
                            "SHA-256, and send it with every 200."), input=f"GET {PATH}",
                          expected='ETag: "…"', actual=dict(response.headers))
    if not STRONG_ETAG.fullmatch(etag):
        raise CheckFailed(_("An ETag is an opaque string in double quotes, and a strong one has no W/ before it: "
                            "send \"3f2a…\", not 3f2a… or W/\"3f2a…\"."), input=f"GET {PATH}",
                          expected='ETag: "…"', actual=f"ETag: {etag}")


async def answers_304(ns: Namespace) -> None:
    """Fail unless If-None-Match with the current ETag gets 304, an empty body and the same ETag.

    Args:
        ns: The learner's objects.
    """
    async with _client(ns) as client:
        etag = await _etag(client)
        full = await client.get(PATH)
        response = await client.get(PATH, headers={"If-None-Match": etag})
    where = f"If-None-Match: {etag}"
    if response.status_code != 304:
        raise CheckFailed(_("The client already holds this very version: answer 304 Not Modified, and save "
                            "sending the body again ({size} bytes here). Neither FastAPI nor Starlette does it "
                            "for JSON: compare If-None-Match with the ETag yourself.", size=len(full.content)),
                          input=where, expected=_("304 with no body"), actual=_answer(response))
    if response.content:
        raise CheckFailed(_("A 304 has no body: the client keeps the copy it has. Return "
                          "Response(status_code=304, headers=...)."), input=where, expected=_("304 with no body"),
                          actual=_answer(response))
    if response.headers.get("etag") != etag:
        raise CheckFailed(_("A 304 must repeat the ETag (and the Cache-Control) that the 200 would send, so "
                            "the client can update what it stored."), input=where, expected=f"ETag: {etag}",
                          actual=f"ETag: {response.headers.get('etag')}")


async def understands_lists_weak_and_star(ns: Namespace) -> None:
    """Fail unless a list, a W/ form of the current ETag, and * each get 304.

    Args:
        ns: The learner's objects.
    """
    async with _client(ns) as client:
        etag = await _etag(client)
        for value in (f'"other", {etag}', f'{etag},"other"', f"W/{etag}", f'"other", W/{etag}', "*"):
            response = await client.get(PATH, headers={"If-None-Match": value})
            if response.status_code != 304 or response.content:
                raise CheckFailed(_("If-None-Match holds * or a comma-separated list of entity tags, and W/ is "
                                    "ignored when comparing (weak comparison). Split the list, drop W/ and compare "
                                    "each tag; * matches any product that exists."),
                                  input=f"If-None-Match: {value}", expected=_("304 with no body"),
                                  actual=_answer(response))


async def other_tags_get_200(ns: Namespace) -> None:
    """Fail unless If-None-Match values that do not match the current ETag get 200 and the full body.

    Args:
        ns: The learner's objects.
    """
    async with _client(ns) as client:
        etag = await _etag(client)
        almost = etag[:-2] + ("0" if etag[-2:-1] != "0" else "1") + '"'  # one character off
        for value in [*OTHER_TAGS, almost]:
            response = await client.get(PATH, headers={"If-None-Match": value})
            if response.status_code != 200 or not same_json(_body(response), PRODUCTS[ID]):
                raise CheckFailed(_("Only a tag equal to the current ETag matches: any other If-None-Match must "
                                    "get 200 and the full body, or the client keeps a copy it does not have."),
                                  input=f"If-None-Match: {value}", expected=_("200 with the product"),
                                  actual=_answer(response))


async def changes_with_the_product(ns: Namespace) -> None:
    """Fail unless a PUT with other content changes the ETag, and the old ETag then gets 200 with the new body.

    Args:
        ns: The learner's objects.
    """
    async with _client(ns) as client:
        old = await _etag(client)
        await _put(client, CHANGED)
        new = await _etag(client, CHANGED)
        response = await client.get(PATH, headers={"If-None-Match": old})
    where = _("PUT {path} with a new price, then GET with the old ETag", path=PATH)
    if new == old:
        raise CheckFailed(_("After a PUT changed the product, the ETag stayed the same, so a client that holds "
                            "the old version would be told it is current and never see the change. Make the "
                            "ETag from the content, not from the id or a constant."), input=where,
                          expected=_("a new ETag, and 200 with the new product"), actual=f"ETag {old} → {new}")
    _old_tag_gets_200(where, old, new, response)


def _old_tag_gets_200(where: str, old: str, new: str, response: httpx.Response) -> None:
    """Fail unless the GET with an ETag the content no longer has got 200.

    Args:
        where: What the check did, for the message.
        old: The ETag the client holds.
        new: The current ETag.
        response: What the GET with ``If-None-Match: old`` got.
    """
    if response.status_code != 200:
        raise CheckFailed(_("The ETag changed, but a GET with the old one still got {status}: only the current "
                            "ETag may match If-None-Match.", status=response.status_code), input=where,
                          expected=_("200 with the new product"), actual=f"ETag {old} → {new}, " + _answer(response))


# Runs here and in a fresh process with another hash seed: the ETags of two products.
_ETAGS = f"""
import copy
PRODUCTS = {PRODUCTS!r}

async def main(learner):
    import httpx
    from asgi_lifespan import LifespanManager
    async with LifespanManager(learner["create_app"](copy.deepcopy(PRODUCTS))) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return [(await client.get(f"/products/{{i}}")).headers.get("etag") for i in PRODUCTS]
"""


async def same_in_every_process(ns: Namespace) -> None:
    """Fail unless a fresh process with another hash seed sends the very same ETags for the same products.

    Args:
        ns: The learner's objects.
    """
    source = definitions_of(ns.require("create_app", "def create_app(products)"), "create_app")
    here = await run_here(ns.objects, _ETAGS)
    if not all(here):
        raise CheckFailed(_("Not checked yet: GET {path} did not answer the product with an ETag. "
                            "Pass the first check first.", path=PATH), actual=here)
    there = await asyncio.to_thread(run_fresh, source, _ETAGS)
    if here != there:
        raise CheckFailed(_("The same products got other ETags in another Python process, so every worker and "
                            "every restart would make clients download everything again. hash() of a str, "
                            "id(), the time and random numbers all differ from process to process: make the "
                            "ETag from the body bytes, e.g. with hashlib.sha256."),
                          input=_("products {ids}, in two processes", ids=list(PRODUCTS)), expected=here,
                          actual=there)


def _run_again(ns: Namespace) -> Any:
    """Return ``create_app`` from the learner's definitions run again in a new namespace, as after a restart.

    Args:
        ns: The learner's objects.
    """
    source = definitions_of(ns.require("create_app", "def create_app(products)"), "create_app")
    objects: dict[str, Any] = {"__name__": "perflab_restarted"}
    try:
        exec(compile(source, "<exercise>", "exec"), objects)
    except Exception as exc:
        raise CheckFailed(_("Your code failed when it ran again on its own, as after a restart. Keep everything "
                            "it needs in the exercise cell or file."), actual=f"{type(exc).__name__}: {exc}") from None
    return objects["create_app"]


async def never_reused(ns: Namespace) -> None:
    """Fail unless, after a restart, other content never gets the ETag that old content had before.

    Args:
        ns: The learner's objects.
    """
    async with _client(ns) as client:
        await _put(client, CHANGED)
        before = await _etag(client, CHANGED)
    async with _client(ns, _run_again(ns)) as client:  # the server restarted: same data, then another PUT
        await _put(client, CHANGED_AGAIN)
        after = await _etag(client, CHANGED_AGAIN)
        response = await client.get(PATH, headers={"If-None-Match": before})
    where = _("PUT, restart, another PUT, then GET with the first ETag")
    if after == before:
        raise CheckFailed(_("After a restart, other content got the ETag that the old content had, so a client "
                            "that still holds the old version is told it is current. A counter kept in memory "
                            "starts again at 0: make the ETag from the content instead."), input=where,
                          expected=_("another ETag, and 200 with the new product"), actual=f"ETag {before} → {after}")
    _old_tag_gets_200(where, before, after, response)


async def missing_gets_404(ns: Namespace) -> None:
    """Fail unless a missing product gets 404 with or without If-None-Match, * included.

    Args:
        ns: The learner's objects.
    """
    async with _client(ns) as client:
        etag = await _etag(client)
        for headers in ({}, {"If-None-Match": "*"}, {"If-None-Match": etag}):
            response = await client.get(MISSING_PATH, headers=headers)
            if response.status_code != 404:
                raise CheckFailed(_("A product that does not exist gets 404, whatever If-None-Match says: * "
                                    "matches only a product that exists. Look the product up first."),
                                  input=f"GET {MISSING_PATH} " + " ".join(f"{k}: {v}" for k, v in headers.items()),
                                  expected="404", actual=_answer(response))


def _directives(value: str) -> dict[str, str]:
    pairs = (part.strip().lower().partition("=") for part in value.split(",") if part.strip())
    return {name.strip(): argument.strip().strip('"') for name, _sep, argument in pairs}


def _revalidates(value: str | None) -> bool:
    directives = _directives(value or "")
    if "no-store" in directives:
        return False
    return directives.get("no-cache") == "" or (directives.get("max-age") == "0" and "must-revalidate" in directives)


async def sends_cache_control(ns: Namespace) -> None:
    """Fail unless the 200 and the 304 both send a Cache-Control that makes clients store and revalidate.

    Args:
        ns: The learner's objects.
    """
    async with _client(ns) as client:
        etag = await _etag(client)
        full = await client.get(PATH)
        short = await client.get(PATH, headers={"If-None-Match": etag})
    for response in (full, short):
        value = response.headers.get("cache-control")
        if not _revalidates(value) or value != full.headers.get("cache-control"):
            raise CheckFailed(_("Send Cache-Control: no-cache with the 200 and the 304: a client may store the "
                                "answer, but must ask again with If-None-Match before each use. no-store forbids "
                                "storing, so there would be nothing to revalidate."),
                              input=f"GET {PATH}" + (f", If-None-Match: {etag}" if response is short else ""),
                              expected="Cache-Control: no-cache",
                              actual=f"{response.status_code}, Cache-Control: {value}")


CHECKS: list[Check] = [
    Check(title="GET answers the product with a quoted ETag", run=sends_a_quoted_etag),
    Check(title="a matching If-None-Match gets 304 with no body", run=answers_304),
    Check(title="lists, W/ tags and * in If-None-Match match too", run=understands_lists_weak_and_star),
    Check(title="any other If-None-Match gets 200 and the full body", run=other_tags_get_200),
    Check(title="the ETag changes when the product changes", run=changes_with_the_product),
    Check(title="the ETag is the same in every process", run=same_in_every_process, timeout_s=30.0),
    Check(title="an ETag is never reused for other content, even after a restart", run=never_reused),
    Check(title="a missing product gets 404, never 304", run=missing_gets_404),
    Check(title="Cache-Control lets clients store and revalidate", run=sends_cache_control),
]
