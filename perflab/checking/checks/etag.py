"""Checks for the exercise "etag": ``create_app(products)`` answers ``If-None-Match`` with 304.

Every check builds the learner's app over a products dict of its own and calls it in-process,
with no socket. One check runs the learner's code again in a fresh Python process, with another
hash seed, and one runs it again here in a fresh namespace, as a restarted worker would.
Nothing is timed: this exercise is about correct answers, not speed.
"""


from __future__ import annotations

from perflab.checking.checks._etag_http import (
    CHANGED, ID, MISSING_PATH, OTHER_TAGS, PATH, PRODUCTS, STRONG_ETAG, answer_of, body_of, client_for,
    current_etag, old_tag_gets_200, put_product,
)
from perflab.checking.checks._etag_restart import never_reused, same_in_every_process
from perflab.checking.checks._shared import same_json
from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.i18n import _

__all__ = ["CHECKS", "PRODUCTS"]


async def sends_a_quoted_etag(ns: Namespace) -> None:
    """Fail unless a plain GET answers 200, the product, and a strong ETag in double quotes.

    Args:
        ns: The learner's objects.
    """
    async with client_for(ns) as client:
        response = await client.get(PATH)
    if response.status_code != 200 or not same_json(body_of(response), PRODUCTS[ID]):
        raise CheckFailed(_("GET must answer 200 with the product as JSON."), input=f"GET {PATH}",
                          expected=PRODUCTS[ID], actual=body_of(response))
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
    async with client_for(ns) as client:
        etag = await current_etag(client)
        full = await client.get(PATH)
        response = await client.get(PATH, headers={"If-None-Match": etag})
    where = f"If-None-Match: {etag}"
    if response.status_code != 304:
        raise CheckFailed(_("The client already holds this very version: answer 304 Not Modified, and save "
                            "sending the body again (here: {size} B). Neither FastAPI nor Starlette does it "
                            "for JSON: compare If-None-Match with the ETag yourself.", size=len(full.content)),
                          input=where, expected=_("304 with no body"), actual=answer_of(response))
    if response.content:
        raise CheckFailed(_("A 304 has no body: the client keeps the copy it has. Return "
                          "Response(status_code=304, headers=...)."), input=where, expected=_("304 with no body"),
                          actual=answer_of(response))
    if response.headers.get("etag") != etag:
        raise CheckFailed(_("A 304 must repeat the ETag (and the Cache-Control) that the 200 would send, so "
                            "the client can update what it stored."), input=where, expected=f"ETag: {etag}",
                          actual=f"ETag: {response.headers.get('etag')}")



async def understands_lists_weak_and_star(ns: Namespace) -> None:
    """Fail unless a list, a W/ form of the current ETag, and * each get 304.

    Args:
        ns: The learner's objects.
    """
    async with client_for(ns) as client:
        etag = await current_etag(client)
        for value in (f'"other", {etag}', f'{etag},"other"', f"W/{etag}", f'"other", W/{etag}', "*"):
            response = await client.get(PATH, headers={"If-None-Match": value})
            if response.status_code != 304 or response.content:
                raise CheckFailed(_("If-None-Match holds * or a comma-separated list of entity tags, and W/ is "
                                    "ignored when comparing (weak comparison). Split the list, drop W/ and compare "
                                    "each tag; * matches any product that exists."),
                                  input=f"If-None-Match: {value}", expected=_("304 with no body"),
                                  actual=answer_of(response))



async def other_tags_get_200(ns: Namespace) -> None:
    """Fail unless If-None-Match values that do not match the current ETag get 200 and the full body.

    Args:
        ns: The learner's objects.
    """
    async with client_for(ns) as client:
        etag = await current_etag(client)
        almost = etag[:-2] + ("0" if etag[-2:-1] != "0" else "1") + '"'  # one character off
        # Entity tags compare octet by octet (RFC 9110, 8.8.3.2): another case is another tag.
        other_case = [etag.swapcase()] if etag.swapcase() != etag else []
        for value in [*OTHER_TAGS, almost, *other_case]:
            response = await client.get(PATH, headers={"If-None-Match": value})
            if response.status_code != 200 or not same_json(body_of(response), PRODUCTS[ID]):
                raise CheckFailed(_("Only a tag equal to the current ETag matches: any other If-None-Match must "
                                    "get 200 and the full body, or the client keeps a copy it does not have."),
                                  input=f"If-None-Match: {value}", expected=_("200 with the product"),
                                  actual=answer_of(response))



async def changes_with_the_product(ns: Namespace) -> None:
    """Fail unless a PUT with other content changes the ETag, and the old ETag then gets 200 with the new body.

    Args:
        ns: The learner's objects.
    """
    async with client_for(ns) as client:
        old = await current_etag(client)
        await put_product(client, CHANGED)
        new = await current_etag(client, CHANGED)
        response = await client.get(PATH, headers={"If-None-Match": old})
    where = _("PUT {path} with a new price, then GET with the old ETag", path=PATH)
    if new == old:
        raise CheckFailed(_("After a PUT changed the product, the ETag stayed the same, so a client that holds "
                            "the old version would be told it is current and never see the change. Make the "
                            "ETag from the content, not from the id or a constant."), input=where,
                          expected=_("a new ETag, and 200 with the new product"), actual=f"ETag {old} → {new}")
    old_tag_gets_200(where, old, new, response)



async def missing_gets_404(ns: Namespace) -> None:
    """Fail unless a missing product gets 404 with or without If-None-Match, * included.

    Args:
        ns: The learner's objects.
    """
    async with client_for(ns) as client:
        etag = await current_etag(client)
        for headers in ({}, {"If-None-Match": "*"}, {"If-None-Match": etag}):
            response = await client.get(MISSING_PATH, headers=headers)
            if response.status_code != 404:
                raise CheckFailed(_("A product that does not exist gets 404, whatever If-None-Match says: * "
                                    "matches only a product that exists. Look the product up first."),
                                  input=f"GET {MISSING_PATH} " + " ".join(f"{k}: {v}" for k, v in headers.items()),
                                  expected="404", actual=answer_of(response))



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
    async with client_for(ns) as client:
        etag = await current_etag(client)
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

