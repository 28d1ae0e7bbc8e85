# expect: fail an ETag is never reused for other content, even after a restart
"""A version counter bumped on PUT, kept in memory: after a restart it hands out old ETags for new content."""

from collections import defaultdict
from typing import Any

from fastapi import Body, FastAPI, Header, HTTPException, Response
from fastapi.responses import JSONResponse


def create_app(products: dict[int, dict[str, Any]]) -> FastAPI:
    app = FastAPI()
    versions: defaultdict[int, int] = defaultdict(int)

    @app.get("/products/{product_id}")
    async def read_product(product_id: int, if_none_match: str | None = Header(default=None)) -> Response:
        product = products.get(product_id)
        if product is None:
            raise HTTPException(status_code=404, detail="Product not found")
        etag = f'"{product_id}-v{versions[product_id]}"'
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        tags = [tag.strip().removeprefix("W/") for tag in (if_none_match or "").split(",")]
        if if_none_match is not None and (if_none_match.strip() == "*" or etag in tags):
            return Response(status_code=304, headers=headers)
        return JSONResponse(product, headers=headers)

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: dict[str, Any] = Body()) -> dict[str, Any]:
        products[product_id] = product
        versions[product_id] += 1
        return product

    return app
