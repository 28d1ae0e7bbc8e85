# expect: fail GET answers the product with a quoted ETag
# The ETag is the bare hex digest without the double quotes RFC 9110 requires; quotes are stripped from If-None-Match so the app still matches its own tags.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise etag: answer ``If-None-Match`` with 304 Not Modified."""

import hashlib
from typing import Any

from fastapi import Body, FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse, Response

Product = dict[str, Any]


def _opaque(tag: str) -> str:
    tag = tag.strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    return tag.strip('"')


def if_none_match_matches(header: str | None, etag: str) -> bool:
    """Whether If-None-Match matches ``etag``, by the weak comparison of RFC 9110."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return any(_opaque(tag) == _opaque(etag) for tag in header.split(","))


def create_app(products: dict[int, Product]) -> FastAPI:
    """Return an app that serves and stores the products in ``products``, answering 304 when it can."""
    app = FastAPI()

    @app.get("/products/{product_id}")
    async def read_product(product_id: int, if_none_match: str | None = Header(default=None)) -> Response:
        product = products.get(product_id)
        if product is None:
            raise HTTPException(status_code=404, detail="Product not found")
        response = JSONResponse(product)
        etag = hashlib.sha256(response.body).hexdigest()
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
