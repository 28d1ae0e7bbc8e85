"""Exercise gather: one route that calls three slow APIs at once and labels their answers.

The whole task, in your language: `task("gather")` in the notebook, or `perflab task gather`
in a terminal. `perflab check gather` checks this file.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException


async def fetch_json(client: httpx.AsyncClient, label: str, url: str) -> Any:
    """Call one API and return its JSON, or raise the HTTPException that names it.

    Args:
        client: The shared HTTP client.
        label: The API's label, used in error details.
        url: The full URL to call.
    """
    response = await client.get(url)
    # TODO: a timeout must become a 504, and any other failure a 502; each detail names `label`.
    return response.json()


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    """Return an app whose GET /dashboard/{item_id} calls every API in ``api_urls`` concurrently.

    Args:
        api_urls: Labels to base URLs of the APIs.
        timeout_s: How long to wait for each API before answering 504. Defaults to 1.0.
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # TODO: make the client give up on an API after timeout_s.
        async with httpx.AsyncClient() as client:
            app.state.client = client
            yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        results = {}
        for label, base_url in api_urls.items():
            # TODO: this waits for each API before it calls the next one. Call all three at once.
            results[label] = await fetch_json(app.state.client, label, f"{base_url}/items/{item_id}")
        return results

    return app
