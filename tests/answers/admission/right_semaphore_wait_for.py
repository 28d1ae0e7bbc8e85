# expect: pass
# expect: pass — an asyncio.Semaphore per wrap, acquired under asyncio.wait_for, released in finally.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control with an asyncio.Semaphore and asyncio.wait_for on the acquire only."""

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


def admit(app: ASGIApp, max_in_flight: int, max_wait_s: float) -> ASGIApp:
    """Return an ASGI app that runs at most ``max_in_flight`` HTTP requests of ``app`` at once."""
    slots = asyncio.Semaphore(max_in_flight)

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(slots.acquire(), timeout=max_wait_s)
        except asyncio.TimeoutError:
            response = JSONResponse(
                {"detail": "server busy, try again"}, status_code=503, headers={"Retry-After": "1"}
            )
            await response(scope, receive, send)
            return
        try:
            await app(scope, receive, send)
        finally:
            slots.release()

    return guarded
