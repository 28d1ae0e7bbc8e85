# expect: fail lists, W/ tags and * in If-None-Match match too
"""Compares the whole header with the ETag: a list, a W/ tag or * never matches, so caches get full bodies."""

import hashlib
from typing import Any

from fastapi import Body, FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse


def create_app(products: dict[int, dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.get("/products/{product_id}")
    async def read_product(product_id: int, if_none_match: str | None = Header(default=None)) -> Response:
        product = products.get(product_id)
        if product is None:
            raise HTTPException(status_code=404, detail="Product not found")
        response = JSONResponse(product)
        headers = {"ETag": '"' + hashlib.sha256(response.body).hexdigest() + '"', "Cache-Control": "no-cache"}
        if if_none_match == headers["ETag"]:
            return Response(status_code=304, headers=headers)
        response.headers.update(headers)
        return response

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: dict[str, Any] = Body()) -> dict[str, Any]:
        products[product_id] = product
        return product

    return app
