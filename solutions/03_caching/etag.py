"""Exercise etag: answer ``If-None-Match`` with 304 Not Modified.

``create_app(products)`` returns a FastAPI app over ``products``, a dict from product id to
the product (a JSON object). The app keeps its data in that dict, and has two routes:

- ``PUT /products/{product_id}`` stores the JSON object in the request body as the product
  (replacing it, or creating it) and answers it. This route is done.
- ``GET /products/{product_id}`` answers the product as JSON, or **404** if there is none.
  This is your part: it must let clients revalidate what they already have.

**The ETag.** Every 200 answer of the GET carries an ``ETag`` header: a strong entity tag,
in double quotes as RFC 9110 wants (``"3f2a…"``, not ``3f2a…`` and not ``W/"3f2a…"``), made
from the content itself, for example the SHA-256 of the exact body bytes. So:

- the same content gets the same ETag in every process (every worker, after every restart):
  never use ``hash()``, ``id()``, the time or random numbers;
- other content gets another ETag, and a PUT that changes the product changes it;
- an ETag is never used again for other content, not even after a restart: a counter kept in
  memory starts again at 0 and hands out the same ETags for new content, so a client that
  still holds an old one would be told its stale copy is current. (A constant ETag, such as
  the ``"unique-version-id"`` of many tutorials, is the worst case of this.)

**Cache-Control.** Every answer with an ETag, 200 or 304, also carries
``Cache-Control: no-cache``: a client may store the answer, but must ask again, with
``If-None-Match``, before each use. (``max-age=0, must-revalidate`` means the same to a
cache and passes too. ``no-store`` does not: it forbids storing, so nothing is revalidated.)

**If-None-Match.** Neither FastAPI nor Starlette answers this header for JSON: compare it
yourself. It holds ``*`` or a comma-separated list of entity tags, each maybe weak: ``"a"``,
``"a", "b"``, ``W/"a"``. It matches when it is ``*`` (the product exists), or when one of its
tags equals the current ETag once ``W/`` is ignored on both sides (the weak comparison of
RFC 9110). Then answer **304** with an empty body and the same ``ETag`` and
``Cache-Control`` headers: the client keeps its copy, and no body crosses the network. When
it does not match, or is absent, answer 200 with the full body. A missing product gets 404,
whatever ``If-None-Match`` says: never 304.

Try it with ``perflab.asgi_client``: ``async with asgi_client(create_app({1: {"name": "Lamp"}}))
as client:``, then ``first = await client.get("/products/1")`` and
``await client.get("/products/1", headers={"If-None-Match": first.headers["etag"]})``.
"""

import hashlib
from typing import Any

from fastapi import Body, FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse

ProductData = dict[str, Any]

# Clients may store an answer but must revalidate it before each use: with an ETag, that costs a
# round trip and an empty 304 while nothing changed, and brings the new body as soon as it did.
CACHE_CONTROL = "no-cache"


def etag_of(body: bytes) -> str:
    """Return a strong, quoted entity tag for ``body``: the same bytes give the same tag in every process.

    Args:
        body: The exact bytes of the 200 answer.
    """
    # SHA-256 of the bytes: no hash(), whose value for a str changes from process to process, and
    # no counter, which starts again at 0 after a restart and reuses old tags for new content.
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def matches(if_none_match: str, etag: str) -> bool:
    """Return whether an If-None-Match value matches ``etag`` by weak comparison (RFC 9110, 13.1.2).

    Args:
        if_none_match: The header's value: ``*`` or a comma-separated list of entity tags.
        etag: The current entity tag.
    """
    if if_none_match.strip() == "*":
        return True  # any current representation; the caller has made sure the product exists
    # Weak comparison ignores W/ on both sides: W/"abc" matches "abc".
    opaque = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == opaque for tag in if_none_match.split(","))


def create_app(products: dict[int, ProductData]) -> FastAPI:
    """Return an app that serves and stores the products in ``products``, answering 304 when it can.

    Args:
        products: ProductData id to product; the app reads and writes this very dict.
    """
    app = FastAPI()

    @app.get("/products/{product_id}")
    async def read_product(product_id: int, if_none_match: str | None = Header(default=None)) -> Response:
        product = products.get(product_id)
        if product is None:  # before If-None-Match: even "*" must not turn a missing product into a 304
            raise HTTPException(status_code=404, detail="ProductData not found")
        # Render the answer first, so the ETag names the very bytes a 200 would send.
        response = JSONResponse(product)
        headers = {"ETag": etag_of(response.body), "Cache-Control": CACHE_CONTROL}
        if if_none_match is not None and matches(if_none_match, headers["ETag"]):
            # A 304 has no body, and repeats the headers the 200 would have had (RFC 9110, 15.4.5).
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
        return response

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: ProductData = Body()) -> ProductData:
        products[product_id] = product
        return product

    return app
