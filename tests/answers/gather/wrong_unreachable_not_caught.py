# expect: fail answers 502 naming an API that fails
# Only timeouts and bad statuses are handled, so an API that cannot be reached (connection refused) ends in a 500 instead of a 502 naming it.
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
