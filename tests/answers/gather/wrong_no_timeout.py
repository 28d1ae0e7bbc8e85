# expect: fail answers 504 naming an API that is too slow, within timeout_s
"""No timeout on the client: one API that hangs makes the whole route hang with it."""

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI, HTTPException


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    app = FastAPI()

    async def fetch(client: httpx.AsyncClient, label: str, url: str) -> Any:
        response = await client.get(url)
        if response.status_code != 200:
            raise HTTPException(502, detail=f"{label} answered {response.status_code}")
        return response.json()

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        async with httpx.AsyncClient(timeout=None) as client:
            calls = [fetch(client, label, f"{url}/items/{item_id}") for label, url in api_urls.items()]
            return dict(zip(api_urls, await asyncio.gather(*calls)))

    return app
