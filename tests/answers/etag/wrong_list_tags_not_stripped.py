# expect: fail lists, W/ tags and * in If-None-Match match too
# The If-None-Match list is split on "," but the tags are not stripped, so with `"a", "b"` only the first tag can match and the current ETag anywhere later in the list is missed.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise etag: answer ``If-None-Match`` with 304 Not Modified."""

import hashlib
from typing import Any

from fastapi import Body, FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse, Response

Product = dict[str, Any]


def if_none_match_matches(header: str | None, etag: str) -> bool:
    """Whether If-None-Match matches ``etag``, by the weak comparison of RFC 9110."""
    if header is None:
        return False
    if header == "*":
        return True
    for tag in header.split(","):
        if tag.startswith("W/"):
            tag = tag[2:]
        if tag == etag:
            return True
    return False


def create_app(products: dict[int, Product]) -> FastAPI:
    """Return an app that serves and stores the products in ``products``, answering 304 when it can."""
    app = FastAPI()

    @app.get("/products/{product_id}")
    async def read_product(product_id: int, if_none_match: str | None = Header(default=None)) -> Response:
        product = products.get(product_id)
        if product is None:
            raise HTTPException(status_code=404, detail="Product not found")
        response = JSONResponse(product)
        etag = '"' + hashlib.sha256(response.body).hexdigest() + '"'
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if if_none_match_matches(if_none_match, etag):
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
        return response

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: Product = Body()) -> Product:
        products[product_id] = product
        return product

    return app
