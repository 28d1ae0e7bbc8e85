# expect: fail answers 502 naming an API that fails
# With return_exceptions=True a failed API is silently left out, so the route answers 200 with part of the data instead of failing.
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
    except httpx.HTTPError:
        raise HTTPException(status_code=502, detail=f"{label} could not be reached") from None
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
        outcomes = await asyncio.gather(
            *(fetch_json(app.state.client, label, f"{api_urls[label]}/items/{item_id}") for label in labels),
            return_exceptions=True,
        )
        # Keep whatever came back; one flaky API should not break the whole dashboard.
        return {label: outcome for label, outcome in zip(labels, outcomes) if not isinstance(outcome, Exception)}

    return app
