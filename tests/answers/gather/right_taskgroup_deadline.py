# expect: pass
# Style: asyncio.TaskGroup with an asyncio.timeout() deadline per call, unwrapping the ExceptionGroup into the first HTTPException.
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
    except (httpx.TimeoutException, TimeoutError):
        raise HTTPException(status_code=504, detail=f"{label} did not answer in time") from None
    except httpx.HTTPError as error:
        raise HTTPException(status_code=502, detail=f"{label} is unreachable ({type(error).__name__})") from None
    if response.status_code != 200:
        raise HTTPException(status_code=502, detail=f"{label} answered HTTP {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise HTTPException(status_code=502, detail=f"{label} sent invalid JSON") from None


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    """Return an app whose GET /dashboard/{item_id} calls every API in ``api_urls`` concurrently."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with httpx.AsyncClient(timeout=httpx.Timeout(timeout_s)) as client:
            app.state.client = client
            yield

    app = FastAPI(lifespan=lifespan)

    async def call_with_deadline(label: str, url: str) -> Any:
        try:
            async with asyncio.timeout(timeout_s):
                return await fetch_json(app.state.client, label, url)
        except TimeoutError:
            raise HTTPException(status_code=504, detail=f"{label} did not answer within {timeout_s} s") from None

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        try:
            async with asyncio.TaskGroup() as group:
                tasks = {
                    label: group.create_task(call_with_deadline(label, f"{base_url}/items/{item_id}"))
                    for label, base_url in api_urls.items()
                }
        except ExceptionGroup as failures:
            http_errors = [error for error in failures.exceptions if isinstance(error, HTTPException)]
            if http_errors:
                raise http_errors[0] from None
            raise
        return {label: task.result() for label, task in tasks.items()}

    return app
