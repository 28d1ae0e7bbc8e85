from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import FastAPI

from perflab.serving.client import asgi_client


def test_asgi_client_runs_the_lifespan() -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.greeting = "hello"
        yield

    app = FastAPI(lifespan=lifespan)

    @app.get("/")
    async def root() -> dict[str, str]:
        return {"greeting": app.state.greeting}

    async def call() -> dict[str, str]:
        async with asgi_client(app) as client:
            return (await client.get("/")).json()

    assert anyio.run(call) == {"greeting": "hello"}
