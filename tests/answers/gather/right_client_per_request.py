# expect: pass
"""A client per request (slower to connect, still concurrent) and JSONResponse errors instead of HTTPException."""

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import JSONResponse


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    app = FastAPI()

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> Any:
        async with httpx.AsyncClient(timeout=httpx.Timeout(timeout_s)) as client:
            calls = [client.get(f"{url}/items/{item_id}") for url in api_urls.values()]
            answers = await asyncio.gather(*calls, return_exceptions=True)
        for label, answer in zip(api_urls, answers):
            if isinstance(answer, httpx.TimeoutException):
                return JSONResponse({"detail": f"{label}: timeout"}, status_code=504)
            if isinstance(answer, BaseException) or answer.status_code != 200:
                return JSONResponse({"detail": f"{label}: bad gateway"}, status_code=502)
        return {label: answer.json() for label, answer in zip(api_urls, answers)}

    return app
