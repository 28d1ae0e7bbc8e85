# expect: fail a matching If-None-Match gets 304 with no body
# The 304 answer is sent without the ETag and Cache-Control headers, which only the 200 answer carries.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise etag: answer ``If-None-Match`` with 304 Not Modified."""

import hashlib
from typing import Any

from fastapi import Body, FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse

Product = dict[str, Any]


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header matches ``etag``: ``*``, or any listed tag, weak or strong."""
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


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
        if if_none_match is not None and etag_matches(if_none_match, etag):
            return Response(status_code=304)
        response.headers["ETag"] = etag
        response.headers["Cache-Control"] = "no-cache"
        return response

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: Product = Body()) -> Product:
        products[product_id] = product
        return product

    return app
