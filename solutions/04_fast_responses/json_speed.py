"""Exercise json_speed: send 1,000 items on FastAPI's fast path, and prove it by measuring.

``GET /items`` on ``app`` answers a JSON array of exactly 1,000 items, with media type
``application/json``. Each item is an object with exactly these fields: ``id`` (int, all
different), ``name`` (str), ``price`` (float), ``in_stock`` (bool) and ``tags`` (list of str),
as in the ``CatalogItem`` model. Build the items once, when the module loads (``random_rows()``
makes them); the route only sends them.

The route must:

- declare its response type, with a return annotation or ``response_model=``, so that the
  item schema appears in the app's OpenAPI document;
- be at least 1.25 times as fast as the same items sent with ``JSONResponse`` (the check
  measures both, alternately, in-process, in CPU time);
- use no deprecated response class: ``ORJSONResponse`` and ``UJSONResponse`` are deprecated
  since FastAPI 0.131, and every response they create warns.

``compare_with_jsonresponse()`` measures that speed-up itself: it calls ``GET /items`` on
``app`` and on ``baseline`` alternately, in-process, ``repeat`` times each after a warm-up,
and returns the ratio of the medians, the ``baseline`` time over the ``app`` time (above 1
means ``app`` is faster). The check runs it with ``app`` and ``baseline`` swapped for two
apps whose difference it knows, both ways round, and counts the calls each one gets: read
``app`` and ``baseline`` when the function runs, and let one slow call not sway the result.
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
# Validate once, at import: the route then hands Pydantic ready model instances, which it
# serializes straight to JSON bytes in Rust. Building 1,000 models per request would cost more
# than it saves.
ITEMS = [CatalogItem(**row) for row in CATALOG_ROWS]

app = FastAPI()


# The return annotation is what turns on the fast path (FastAPI 0.130+): FastAPI knows the type
# and lets Pydantic write the bytes. No response_class: any custom one turns the fast path off.
@app.get("/items")
async def list_items() -> list[CatalogItem]:
    return ITEMS


baseline = FastAPI()


@baseline.get("/items")
async def list_items_jsonresponse() -> JSONResponse:
    # The old way: the stdlib json module encodes the dicts on every request.
    return JSONResponse(CATALOG_ROWS)


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
