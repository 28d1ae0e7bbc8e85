# expect: fail the route declares its response type
# The route declares `-> list[dict[str, Any]]` and returns the plain dicts, so the Item schema never appears in the OpenAPI document and each request validates 1,000 dicts.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise json_speed: send 1,000 items on FastAPI's fast path, and prove it by measuring."""

import random
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from perflab import asgi_client, compare

WORDS = ("red", "blue", "green", "small", "large", "steel", "oak", "glass", "round", "flat")


class Item(BaseModel):
    """One item of the catalogue."""

    id: int
    name: str
    price: float
    in_stock: bool
    tags: list[str]


def random_rows(count: int = 1000, seed: int = 42) -> list[dict[str, Any]]:
    """Return ``count`` random items as plain dicts, the same ones for the same seed."""
    rng = random.Random(seed)
    return [
        {"id": i, "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}", "price": round(rng.uniform(1, 500), 2),
         "in_stock": rng.random() < 0.7, "tags": rng.sample(WORDS, 2)}
        for i in range(count)
    ]


ROWS = random_rows()

app = FastAPI()


@app.get("/items")
async def list_items() -> list[dict[str, Any]]:
    # A declared return type puts the route on the fast path.
    return ROWS


baseline = FastAPI()


@baseline.get("/items")
async def list_items_jsonresponse() -> JSONResponse:
    return JSONResponse(ROWS)


async def compare_with_jsonresponse(repeat: int = 30) -> float:
    """Return how many times faster ``app`` sends the items than ``baseline``: medians, alternately."""
    async with asgi_client(baseline) as slow, asgi_client(app) as fast:
        result = await compare(lambda: slow.get("/items"), lambda: fast.get("/items"), repeat=repeat)
    return result.ratio
