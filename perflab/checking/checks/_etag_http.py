"""What the checks of the exercise "etag" share: the products, and requests to the learner's app."""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from perflab.checking.checks._inprocess import body_of, learner_client
from perflab.checking.checks._shared import same_json
from perflab.checking.engine import CheckFailed, Namespace
from perflab.i18n import _, ngettext

__all__ = ["CHANGED", "CHANGED_AGAIN", "ID", "MISSING_PATH", "OTHER_TAGS", "PATH", "PRODUCTS", "STRONG_ETAG",
           "answer_of", "body_of", "client_for", "current_etag", "old_tag_gets_200", "products_copy", "put_product"]

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



def products_copy() -> dict[int, dict[str, Any]]:
    return copy.deepcopy(PRODUCTS)



@asynccontextmanager
async def client_for(ns: Namespace, create_app: Any = None) -> AsyncIterator[httpx.AsyncClient]:
    """Yield a client wired to the learner's app over a fresh copy of PRODUCTS.

    Args:
        ns: The learner's objects.
        create_app: Another ``create_app`` to use, e.g. one run again. Defaults to the learner's.
    """
    async with learner_client(ns, "create_app", "def create_app(products)", products_copy(), factory=create_app) as client:
        yield client



def answer_of(response: httpx.Response) -> str:
    return ngettext("{status} with {n} byte of body", "{status} with {n} bytes of body", len(response.content),
                    status=response.status_code)



async def current_etag(client: httpx.AsyncClient, product: dict[str, Any] = PRODUCTS[ID]) -> str:
    """GET the product and return its ETag, or fail as not checked yet if there is none.

    Args:
        client: The client wired to the learner's app.
        product: What the product holds now. Defaults to PRODUCTS[ID].
    """
    response = await client.get(PATH)
    etag = response.headers.get("etag")
    if response.status_code != 200 or not same_json(body_of(response), product) or not etag:
        raise CheckFailed(_("Not checked yet: GET {path} did not answer the product with an ETag. "
                            "Pass the first check first.", path=PATH), actual=answer_of(response))
    return etag



async def put_product(client: httpx.AsyncClient, product: dict[str, Any]) -> None:
    response = await client.put(PATH, json=product)
    if response.status_code != 200:
        raise CheckFailed(_("PUT {path} must store the product and answer 200. It is done in the exercise: "
                            "keep it as it is.", path=PATH), input=product, actual=answer_of(response))



def old_tag_gets_200(where: str, old: str, new: str, response: httpx.Response) -> None:
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
                          expected=_("200 with the new product"), actual=f"ETag {old} → {new}, " + answer_of(response))

