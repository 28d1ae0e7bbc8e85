# expect: pass
"""BLAKE2b of the canonical JSON, tags parsed with a regex, and the longer Cache-Control spelling."""

import hashlib
import json
import re
from typing import Any

from fastapi import Body, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse

ENTITY_TAG = re.compile(r'\s*(?:W/)?("[^"]*")\s*(?:,|$)')


def etag_of(product: dict[str, Any]) -> str:
    canonical = json.dumps(product, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return '"' + hashlib.blake2b(canonical.encode("utf-8"), digest_size=16).hexdigest() + '"'


def create_app(products: dict[int, dict[str, Any]]) -> FastAPI:
    app = FastAPI()

    @app.get("/products/{product_id}")
    async def read_product(product_id: int, request: Request) -> Response:
        product = products.get(product_id)
        if product is None:
            raise HTTPException(status_code=404, detail="Product not found")
        headers = {"ETag": etag_of(product), "Cache-Control": "private, max-age=0, must-revalidate"}
        wanted = request.headers.get("if-none-match")
        if wanted is not None and (wanted.strip() == "*" or headers["ETag"] in ENTITY_TAG.findall(wanted)):
            return Response(status_code=304, headers=headers)
        return JSONResponse(product, headers=headers)

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: dict[str, Any] = Body()) -> dict[str, Any]:
        products[product_id] = product
        return product

    return app
