# expect: fail a matching If-None-Match gets 304 with no body
"""raise HTTPException(304) gives an empty 304, but without the ETag and Cache-Control the 200 would send."""

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
        etag = '"' + hashlib.sha256(response.body).hexdigest() + '"'
        tags = [tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")]
        if if_none_match is not None and (if_none_match.strip() == "*" or etag in tags):
            raise HTTPException(status_code=304)
        response.headers.update({"ETag": etag, "Cache-Control": "no-cache"})
        return response

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: dict[str, Any] = Body()) -> dict[str, Any]:
        products[product_id] = product
        return product

    return app
