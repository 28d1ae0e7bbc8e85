# expect: fail calls the three APIs concurrently
"""Gathers two calls, then awaits the third: the third still waits for the first two."""

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
    async def dashboard(item_id: int) -> dict[str, Any]:
        (first, url1), (second, url2), (third, url3) = api_urls.items()
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            a, b = await asyncio.gather(fetch(client, first, f"{url1}/items/{item_id}"),
                                        fetch(client, second, f"{url2}/items/{item_id}"))
            c = await fetch(client, third, f"{url3}/items/{item_id}")
        return {first: a, second: b, third: c}

    return app
