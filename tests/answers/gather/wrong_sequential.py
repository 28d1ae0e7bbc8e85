# expect: fail calls the three APIs concurrently
"""Awaits each API before calling the next: correct answers, but the wait is the sum."""

from typing import Any

import httpx
from fastapi import FastAPI, HTTPException


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    app = FastAPI()

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        results = {}
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            for label, base_url in api_urls.items():
                try:
                    response = await client.get(f"{base_url}/items/{item_id}")
                except httpx.TimeoutException:
                    raise HTTPException(504, detail=f"{label} timed out") from None
                if response.status_code != 200:
                    raise HTTPException(502, detail=f"{label} answered {response.status_code}")
                results[label] = response.json()
        return results

    return app
