# expect: fail answers with all three results, each under its label
# Results are read from the `done` set of asyncio.wait and zipped with the labels, but a set has no order, so answers can land under the wrong label.
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

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        tasks = [
            asyncio.create_task(fetch_json(app.state.client, label, f"{base_url}/items/{item_id}"))
            for label, base_url in api_urls.items()
        ]
        done, _pending = await asyncio.wait(tasks)
        return {label: task.result() for label, task in zip(api_urls, done)}

    return app
