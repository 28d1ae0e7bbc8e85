# expect: fail answers with all three results, each under its label
"""Returns the three answers as a bare list: which one is the weather?"""

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
        if response.status_code != 200:
            raise HTTPException(502, detail=f"{label} answered {response.status_code}")
        return response.json()

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> list[Any]:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            return await asyncio.gather(*(fetch(client, label, f"{url}/items/{item_id}") for label, url in api_urls.items()))

    return app
