# expect: pass
# Style: a small EntityTag value class (BLAKE2b of the rendered body) with a weak-comparison method, reading the header from Request.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise etag: answer ``If-None-Match`` with 304 Not Modified."""

import hashlib
from dataclasses import dataclass
from typing import Any

from fastapi import Body, FastAPI, HTTPException, Request, Response
from fastapi.responses import JSONResponse

Product = dict[str, Any]


@dataclass(frozen=True)
class EntityTag:
    """A strong entity tag derived from the exact bytes of a body."""

    opaque: str

    @classmethod
    def of(cls, body: bytes) -> "EntityTag":
        return cls(hashlib.blake2b(body, digest_size=20).hexdigest())

    def __str__(self) -> str:
        return f'"{self.opaque}"'

    def matched_by(self, if_none_match: str | None) -> bool:
        """RFC 9110 weak comparison against an If-None-Match value."""
        if if_none_match is None:
            return False
        if if_none_match.strip() == "*":
            return True
        mine = str(self)
        for candidate in if_none_match.split(","):
            candidate = candidate.strip()
            if candidate.startswith("W/"):
                candidate = candidate[2:]
            if candidate == mine:
                return True
        return False


def create_app(products: dict[int, Product]) -> FastAPI:
    """Return an app that serves and stores the products in ``products``, answering 304 when it can."""
    app = FastAPI()

    @app.get("/products/{product_id}")
    async def read_product(product_id: int, request: Request) -> Response:
        try:
            product = products[product_id]
        except KeyError:
            raise HTTPException(status_code=404, detail="Product not found") from None
        full = JSONResponse(product)
        tag = EntityTag.of(full.body)
        validators = {"ETag": str(tag), "Cache-Control": "no-cache"}
        if tag.matched_by(request.headers.get("if-none-match")):
            return Response(status_code=304, headers=validators)
        full.headers.update(validators)
        return full

    @app.put("/products/{product_id}")
    async def replace_product(product_id: int, product: Product = Body()) -> Product:
        products[product_id] = product
        return product

    return app
