# expect: fail a matching If-None-Match gets 304 with no body
"""Sends a good ETag but never reads If-None-Match, trusting FastAPI to answer 304: it does not, for JSON."""

import hashlib
from typing import Any

from fastapi import Body, FastAPI, HTTPException
from fastapi.responses import JSONResponse


def create_app(products: dict[int, dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.get("/products/{product_id}")
    async def read_product(product_id: int) -> JSONResponse:
        product = products.get(product_id)
        if product is None:
            raise HTTPException(status_code=404, detail="Product not found")
        response = JSONResponse(product)
        etag = '"' + hashlib.sha256(response.body).hexdigest() + '"'
        response.headers.update({"ETag": etag, "Cache-Control": "no-cache"})
        return response

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: dict[str, Any] = Body()) -> dict[str, Any]:
        products[product_id] = product
        return product

    return app
