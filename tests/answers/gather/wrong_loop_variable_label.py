# expect: fail answers 502 naming an API that fails
# Errors are caught around the gather and the detail uses the leftover loop variable, so it always names the last API rather than the one that failed.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise gather: one route that calls three slow APIs at once and labels their answers."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException


async def fetch_json(client: httpx.AsyncClient, label: str, url: str) -> Any:
    """Call one API and return its JSON; errors are turned into HTTP answers by the route."""
    response = await client.get(url)
    response.raise_for_status()
    if response.status_code != 200:
        raise httpx.HTTPStatusError(f"{label}: {response.status_code}", request=response.request, response=response)
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
        calls = []
        for label, base_url in api_urls.items():
            calls.append(fetch_json(app.state.client, label, f"{base_url}/items/{item_id}"))
        try:
            results = await asyncio.gather(*calls)
        except httpx.TimeoutException:
            raise HTTPException(status_code=504, detail=f"{label} timed out") from None
        except httpx.HTTPError:
            raise HTTPException(status_code=502, detail=f"{label} failed") from None
        return dict(zip(api_urls, results))

    return app
