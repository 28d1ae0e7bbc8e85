# expect: fail every item has the fields and types of CatalogItem
"""Prices rounded to int: the schema says float."""

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
    price: int
    in_stock: bool
    tags: list[str]


def random_rows(count: int = 1000, seed: int = 42) -> list[dict[str, Any]]:
    """Return ``count`` random items as plain dicts, the same ones for the same seed.

    Args:
        count: How many. Defaults to 1000.
        seed: The random seed. Defaults to 42.
    """
    rng = random.Random(seed)
    return [
        {"id": i, "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}", "price": round(rng.uniform(1, 500)),
         "in_stock": rng.random() < 0.7, "tags": rng.sample(WORDS, 2)}
        for i in range(count)
    ]


ROWS = random_rows()
# Validate once, at import: the route then hands Pydantic ready model instances, which it
# serializes straight to JSON bytes in Rust. Building 1,000 models per request would cost more
# than it saves.
ITEMS = [Item(**row) for row in ROWS]

app = FastAPI()


# The return annotation is what turns on the fast path (FastAPI 0.130+): FastAPI knows the type
# and lets Pydantic write the bytes. No response_class: any custom one turns the fast path off.
@app.get("/items")
async def list_items() -> list[Item]:
    return ITEMS


baseline = FastAPI()


@baseline.get("/items")
async def list_items_jsonresponse() -> JSONResponse:
    # The old way: the stdlib json module encodes the dicts on every request.
    return JSONResponse(ROWS)


async def compare_with_jsonresponse(repeat: int = 30) -> float:
    """Return how many times faster ``app`` sends the items than ``baseline``: medians, alternately.

    Args:
        repeat: How many timed calls of each. Defaults to 30.
    """
    async with asgi_client(app) as fast, asgi_client(baseline) as slow:
        # compare() alternates A, B, A, B... so that noise hits both alike; ratio = A / B.
        result = await compare(lambda: slow.get("/items"), lambda: fast.get("/items"), repeat=repeat, warmup=3,
                               labels=("JSONResponse", "declared type"))
    return result.ratio
