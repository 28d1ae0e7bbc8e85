# expect: fail answers with all three results, each under its label
# The results dict is created once in create_app and filled as each answer arrives, so concurrent requests for different item_ids overwrite each other and may answer another item's data.
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
    except httpx.HTTPError as error:
        raise HTTPException(status_code=502, detail=f"{label} failed: {type(error).__name__}") from None
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
    results: dict[str, Any] = {}

    async def load(label: str, url: str) -> None:
        results[label] = await fetch_json(app.state.client, label, url)

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        await asyncio.gather(*(load(label, f"{base_url}/items/{item_id}") for label, base_url in api_urls.items()))
        return dict(results)

    return app
