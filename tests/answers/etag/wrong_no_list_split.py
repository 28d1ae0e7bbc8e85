# expect: fail lists, W/ tags and * in If-None-Match match too
# If-None-Match is compared as one whole value (with * and W/ handled), so a comma-separated list of tags that contains the current ETag never matches.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise etag: answer ``If-None-Match`` with 304 Not Modified."""

import hashlib
from typing import Any

from fastapi import Body, FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse

Product = dict[str, Any]


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an If-None-Match header matches ``etag``: ``*``, the tag itself, or its weak form."""
    return if_none_match.strip() in ("*", etag, f"W/{etag}")


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
        if if_none_match is not None and etag_matches(if_none_match, etag):
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
        return response

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: Product = Body()) -> Product:
        products[product_id] = product
        return product

    return app
