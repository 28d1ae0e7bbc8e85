# expect: fail the ETag is the same in every process
"""hash() of a str is salted per process: every worker and every restart sends other ETags."""

import json
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
        etag = f'"{hash(json.dumps(product, sort_keys=True)) & 0xFFFFFFFFFFFF:x}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        tags = [tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")]
        if if_none_match is not None and (if_none_match.strip() == "*" or etag in tags):
            return Response(status_code=304, headers=headers)
        return JSONResponse(product, headers=headers)

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: dict[str, Any] = Body()) -> dict[str, Any]:
        products[product_id] = product
        return product

    return app
