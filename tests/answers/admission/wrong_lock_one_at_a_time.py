# expect: fail runs at most max_in_flight requests at once, and uses them all
# Uses an asyncio.Lock, so only one request runs at a time whatever max_in_flight is.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control with a lock instead of a counting semaphore."""

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


def admit(app: ASGIApp, max_in_flight: int, max_wait_s: float) -> ASGIApp:
    """Return an ASGI app that runs at most ``max_in_flight`` HTTP requests of ``app`` at once."""
    lock = asyncio.Lock()

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(lock.acquire(), max_wait_s)
        except asyncio.TimeoutError:
            await JSONResponse(
                {"detail": "server busy"}, status_code=503, headers={"Retry-After": "1"}
            )(scope, receive, send)
            return
        try:
            await app(scope, receive, send)
        finally:
            lock.release()

    return guarded
