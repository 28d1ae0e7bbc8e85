# expect: pass
"""A middleware that tags every 200 JSON answer to a GET, and turns a matching If-None-Match into a 304."""

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Body, FastAPI, HTTPException, Request, Response


def matches(if_none_match: str, etag: str) -> bool:
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return if_none_match.strip() == "*" or etag in tags


def create_app(products: dict[int, dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.middleware("http")
    async def etags(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        response = await call_next(request)
        if request.method != "GET" or response.status_code != 200:
            return response  # a 404 passes through untouched, whatever If-None-Match says
        body = b"".join([chunk async for chunk in response.body_iterator])
        headers = {"ETag": '"' + hashlib.sha256(body).hexdigest() + '"', "Cache-Control": "no-cache"}
        if matches(request.headers.get("if-none-match", ""), headers["ETag"]):
            return Response(status_code=304, headers=headers)
        kept = {k: v for k, v in response.headers.items() if k != "content-length"}
        return Response(body, status_code=200, headers={**kept, **headers})

    @app.get("/products/{product_id}")
    async def read_product(product_id: int) -> dict[str, Any]:
        product = products.get(product_id)
        if product is None:
            raise HTTPException(status_code=404, detail="Product not found")
        return product

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: dict[str, Any] = Body()) -> dict[str, Any]:
        products[product_id] = product
        return product

    return app
