# expect: fail calls the three APIs concurrently
# The HTTP client lives at module level and is made by the first app only, so a second app keeps the first one's timeout (and a client bound to an old event loop) and it is never closed.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise gather: one route that calls three slow APIs at once and labels their answers."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException

# One client for the whole process: connection pooling works best when the client is shared.
_client: httpx.AsyncClient | None = None


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
        global _client
        if _client is None:
            _client = httpx.AsyncClient(timeout=timeout_s)
        app.state.client = _client
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        labels = list(api_urls)
        calls = [fetch_json(app.state.client, label, f"{api_urls[label]}/items/{item_id}") for label in labels]
        results = await asyncio.gather(*calls)
        return dict(zip(labels, results))

    return app
