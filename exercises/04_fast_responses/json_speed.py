"""Exercise json_speed: send 1,000 items on FastAPI's fast path, and prove it by measuring.

The whole task, in your language: `task("json_speed")` in the notebook, or `perflab task json_speed`
in a terminal. `perflab check json_speed` checks this file.
"""

import random
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from perflab import asgi_client, compare

WORDS = ("red", "blue", "green", "small", "large", "steel", "oak", "glass", "round", "flat")


class CatalogItem(BaseModel):
    """One item of the catalogue."""

    id: int
    name: str
    price: float
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
        {"id": i, "name": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}", "price": round(rng.uniform(1, 500), 2),
         "in_stock": rng.random() < 0.7, "tags": rng.sample(WORDS, 2)}
        for i in range(count)
    ]


CATALOG_ROWS = random_rows()

app = FastAPI()


@app.get("/items")
async def list_items():
    # TODO: plain dicts and no declared type: FastAPI walks every value with jsonable_encoder.
    # Send the items on the fast path instead.
    return CATALOG_ROWS


baseline = FastAPI()


@baseline.get("/items")
async def list_items_jsonresponse() -> JSONResponse:
    return JSONResponse(CATALOG_ROWS)


async def compare_with_jsonresponse(repeat: int = 30) -> float:
    """Return how many times faster ``app`` sends the items than ``baseline``: medians, alternately.

    Args:
        repeat: How many timed calls of each. Defaults to 30.
    """
    # TODO: time GET /items on `baseline` and on `app`, alternately and in-process
    # (perflab.asgi_client and perflab.compare help), and return the baseline's median / app's.
    return 0.0
