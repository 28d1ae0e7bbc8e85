# expect: fail answers 502 naming an API that fails
"""Turns a failing API into None and answers 200: the caller never learns that data is missing."""

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    app = FastAPI()

    async def fetch(client: httpx.AsyncClient, label: str, url: str) -> Any:
        try:
            response = await client.get(url)
        except httpx.TimeoutException:
            raise HTTPException(504, detail=f"{label} timed out") from None
        return response.json() if response.status_code == 200 else None

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            calls = [fetch(client, label, f"{url}/items/{item_id}") for label, url in api_urls.items()]
            return dict(zip(api_urls, await asyncio.gather(*calls)))

    return app
