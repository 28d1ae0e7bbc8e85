# expect: pass
"""asyncio.TaskGroup instead of gather: if one call fails, the others are cancelled at once."""

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    app = FastAPI()

    async def fetch(client: httpx.AsyncClient, label: str, url: str) -> Any:
        try:
            async with asyncio.timeout(timeout_s):
                response = await client.get(url)
        except TimeoutError:
            raise HTTPException(504, detail=f"{label} timed out after {timeout_s} s") from None
        except httpx.RequestError as error:  # refused, reset: no answer at all
            raise HTTPException(502, detail=f"{label} could not be reached: {type(error).__name__}") from None
        if response.status_code != 200:
            raise HTTPException(502, detail=f"{label} answered {response.status_code}")
        return response.json()

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        async with httpx.AsyncClient() as client:
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = {label: group.create_task(fetch(client, label, f"{url}/items/{item_id}"))
                             for label, url in api_urls.items()}
            except* HTTPException as failures:
                raise failures.exceptions[0] from None  # a TaskGroup wraps errors in a group
        return {label: task.result() for label, task in tasks.items()}

    return app
