# expect: fail gives slots back after errors and cancellations
# Releases the slot only after the app returns normally, so an exception or a cancellation leaks it.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control that forgets try/finally around the app call."""

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
            await asyncio.wait_for(slots.acquire(), max_wait_s)
        except asyncio.TimeoutError:
            await JSONResponse(
                {"detail": "server busy"}, status_code=503, headers={"Retry-After": "1"}
            )(scope, receive, send)
            return
        await app(scope, receive, send)
        slots.release()

    return guarded
