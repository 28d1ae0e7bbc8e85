# expect: fail compare_with_jsonresponse() agrees with the check's measurement
# Both in-process clients are opened on app (a copy-paste slip), so the baseline is never measured and the ratio is about 1.
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

ITEMS = [Item(**row) for row in ROWS]

app = FastAPI()


@app.get("/items")
async def list_items() -> list[Item]:
    return ITEMS


baseline = FastAPI()


@baseline.get("/items")
async def list_items_jsonresponse() -> JSONResponse:
    return JSONResponse(ROWS)


async def compare_with_jsonresponse(repeat: int = 30) -> float:
    """Return how many times faster ``app`` sends the items than ``baseline``: medians, alternately."""
    async with asgi_client(app) as fast, asgi_client(app) as slow:
        comparison = await compare(lambda: slow.get("/items"), lambda: fast.get("/items"), repeat=repeat)
    return comparison.ratio
