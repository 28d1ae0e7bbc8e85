# expect: fail calls the three APIs concurrently
"""gather() around a blocking client: each call holds the event loop, so they run one by one."""

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    app = FastAPI()

    async def fetch(label: str, url: str) -> Any:
        try:
            response = httpx.get(url, timeout=timeout_s)  # sync: blocks the whole loop
        except httpx.TimeoutException:
            raise HTTPException(504, detail=f"{label} timed out") from None
        if response.status_code != 200:
            raise HTTPException(502, detail=f"{label} answered {response.status_code}")
        return response.json()

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        calls = [fetch(label, f"{url}/items/{item_id}") for label, url in api_urls.items()]
        return dict(zip(api_urls, await asyncio.gather(*calls)))

    return app
