# expect: pass
# Style: a small Upstreams class created in lifespan, fanning out with an anyio task group into a dict keyed by label.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise gather: one route that calls three slow APIs at once and labels their answers."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
from fastapi import FastAPI, HTTPException, Request

GATEWAY_TIMEOUT = 504
BAD_GATEWAY = 502


async def fetch_json(client: httpx.AsyncClient, label: str, url: str) -> Any:
    """Call one API and return its JSON, or raise the HTTPException that names it."""
    try:
        response = await client.get(url)
        if response.status_code != 200:
            raise HTTPException(BAD_GATEWAY, detail=f"upstream {label!r} returned status {response.status_code}")
        return response.json()
    except httpx.TimeoutException:
        raise HTTPException(GATEWAY_TIMEOUT, detail=f"upstream {label!r} timed out") from None
    except (httpx.HTTPError, ValueError) as error:
        raise HTTPException(BAD_GATEWAY, detail=f"upstream {label!r} failed: {type(error).__name__}") from None


class Upstreams:
    """The APIs behind the dashboard, sharing one client."""

    def __init__(self, client: httpx.AsyncClient, api_urls: dict[str, str]) -> None:
        self.client = client
        self.api_urls = dict(api_urls)

    async def item(self, item_id: int) -> dict[str, Any]:
        results: dict[str, Any] = {}

        async def one(label: str, base_url: str) -> None:
            results[label] = await fetch_json(self.client, label, f"{base_url}/items/{item_id}")

        try:
            async with anyio.create_task_group() as group:
                for label, base_url in self.api_urls.items():
                    group.start_soon(one, label, base_url)
        except BaseExceptionGroup as group_error:
            for error in group_error.exceptions:
                if isinstance(error, HTTPException):
                    raise error from None
            raise
        return {label: results[label] for label in self.api_urls}


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    """Return an app whose GET /dashboard/{item_id} calls every API in ``api_urls`` concurrently."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            app.state.upstreams = Upstreams(client, api_urls)
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int, request: Request) -> dict[str, Any]:
        return await request.app.state.upstreams.item(item_id)

    return app
