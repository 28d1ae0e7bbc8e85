# expect: fail gives each wrapped app slots of its own
# Keeps the semaphore at module level, so every wrapped app shares the same slots.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control with a single module-level semaphore, created on first use."""

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

_slots: asyncio.Semaphore | None = None


def admit(app: ASGIApp, max_in_flight: int, max_wait_s: float) -> ASGIApp:
    """Return an ASGI app that runs at most ``max_in_flight`` HTTP requests of ``app`` at once."""
    global _slots
    if _slots is None:
        _slots = asyncio.Semaphore(max_in_flight)
    slots = _slots

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(slots.acquire(), max_wait_s)
        except asyncio.TimeoutError:
            await JSONResponse(
                {"detail": "server busy"}, status_code=503, headers={"Retry-After": "1"}
            )(scope, receive, send)
            return
        try:
            await app(scope, receive, send)
        finally:
            slots.release()

    return guarded
