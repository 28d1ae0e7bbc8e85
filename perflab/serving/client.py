"""Call an app in-process, with no socket, and with its lifespan run as a server would."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from perflab.serving.asgi import require_asgi_app

__all__ = ["asgi_client"]


@asynccontextmanager
async def asgi_client(
    app: Any, base_url: str = "http://testserver", startup_timeout_s: float = 10.0
) -> AsyncIterator[httpx.AsyncClient]:
    """Yield an httpx client wired straight to ``app``, running its lifespan around the calls.

    Plain ``httpx.ASGITransport`` never sends lifespan events, so an app that opens its Redis
    client or database engine in ``lifespan`` would fail. This one starts it first.

    Usage:
        async with asgi_client(app) as client:
            response = await client.get("/items/1")

    Args:
        app: A FastAPI, Starlette or other ASGI application.
        base_url: The URL the requests appear to go to. Defaults to "http://testserver".
        startup_timeout_s: How long lifespan startup may take. Defaults to 10.
    """
    require_asgi_app(app)
    async with LifespanManager(app, startup_timeout=startup_timeout_s) as manager:
        transport = httpx.ASGITransport(app=manager.app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
            yield client
