# expect: pass
"""aiohttp instead of httpx, with one session for the app's life and a total timeout per call."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
from fastapi import FastAPI, HTTPException


def create_app(api_urls: dict[str, str], timeout_s: float = 1.0) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        timeout = aiohttp.ClientTimeout(total=timeout_s)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            app.state.session = session
            yield

    app = FastAPI(lifespan=lifespan)

    async def fetch(label: str, url: str) -> Any:
        try:
            async with app.state.session.get(url) as response:
                if response.status != 200:
                    raise HTTPException(502, detail=f"{label} answered {response.status}")
                return await response.json()
        except asyncio.TimeoutError:
            raise HTTPException(504, detail=f"{label} timed out") from None
        except aiohttp.ClientError as exc:
            raise HTTPException(502, detail=f"{label} failed: {exc}") from None

    @app.get("/dashboard/{item_id}")
    async def dashboard(item_id: int) -> dict[str, Any]:
        results = await asyncio.gather(*(fetch(label, f"{url}/items/{item_id}") for label, url in api_urls.items()))
        return dict(zip(api_urls, results))

    return app
