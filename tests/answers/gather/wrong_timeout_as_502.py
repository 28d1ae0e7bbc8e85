# expect: fail answers 504 naming an API that is too slow, within timeout_s
# The broad `except httpx.HTTPError` comes before `except httpx.TimeoutException`, so a timeout is answered 502 instead of 504.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise gather: one route that calls three slow APIs at once and labels their answers."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException


async def fetch_json(client: httpx.AsyncClient, label: str, url: str) -> Any:
    """Call one API and return its JSON, or raise the HTTPException that names it."""
    try:
        response = await client.get(url)
        response.raise_for_status()
    except httpx.HTTPError as error:
        raise HTTPException(status_code=502, detail=f"{label} failed: {error}") from None
    except httpx.TimeoutException:
        raise HTTPException(status_code=504, detail=f"{label} timed out") from None
    if response.status_code != 200:
        raise HTTPException(status_code=502, detail=f"{label} answered {response.status_code}")
    return response.json()


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    """Return an app whose GET /dashboard/{item_id} calls every API in ``api_urls`` concurrently."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            app.state.client = client
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        labels = list(api_urls)
        results = await asyncio.gather(
            *(fetch_json(app.state.client, label, f"{api_urls[label]}/items/{item_id}") for label in labels)
        )
        return dict(zip(labels, results))

    return app
