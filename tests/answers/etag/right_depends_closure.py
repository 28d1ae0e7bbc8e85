# expect: pass
# Style: a Depends() dependency that parses If-None-Match into a set of tags, and the body encoded by hand with json.dumps into a plain Response.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise etag: answer ``If-None-Match`` with 304 Not Modified."""

import hashlib
import json
from typing import Annotated, Any

from fastapi import Body, Depends, FastAPI, Header, HTTPException, Response

Product = dict[str, Any]
ANY_TAG = "*"


def wanted_tags(if_none_match: Annotated[str | None, Header()] = None) -> frozenset[str]:
    """The entity tags the client already holds, with ``W/`` dropped; ``{"*"}`` for a wildcard."""
    if if_none_match is None:
        return frozenset()
    if if_none_match.strip() == ANY_TAG:
        return frozenset({ANY_TAG})
    return frozenset(part.strip().removeprefix("W/") for part in if_none_match.split(",") if part.strip())


def create_app(products: dict[int, Product]) -> FastAPI:
    """Return an app that serves and stores the products in ``products``, answering 304 when it can."""
    app = FastAPI()

    def render(product: Product) -> tuple[bytes, dict[str, str]]:
        body = json.dumps(product, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        etag = f'"{hashlib.sha256(body).hexdigest()}"'
        return body, {"ETag": etag, "Cache-Control": "no-cache"}

    @app.get("/products/{product_id}")
    async def read_product(product_id: int, held: frozenset[str] = Depends(wanted_tags)) -> Response:
        if product_id not in products:
            raise HTTPException(status_code=404, detail="Product not found")
        body, headers = render(products[product_id])
        if ANY_TAG in held or headers["ETag"] in held:
            return Response(status_code=304, headers=headers)
        return Response(content=body, media_type="application/json", headers=headers)

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: Product = Body()) -> Product:
        products[product_id] = product
        return product

    return app
