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

from typing import Any

from fastapi import Body, FastAPI, HTTPException

Product = dict[str, Any]


def create_app(products: dict[int, Product]) -> FastAPI:
    """Return an app that serves and stores the products in ``products``, answering 304 when it can.

    Args:
        products: Product id to product; the app reads and writes this very dict.
    """
    app = FastAPI()

    @app.get("/products/{product_id}")
    async def read_product(product_id: int) -> Product:
        product = products.get(product_id)
        if product is None:
            raise HTTPException(status_code=404, detail="Product not found")
        # TODO: send a quoted ETag made from the exact body bytes and Cache-Control: no-cache,
        # and answer a matching If-None-Match (a list, W/"...", or *) with an empty 304.
        return product

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: Product = Body()) -> Product:
        products[product_id] = product
        return product

    return app
