# expect: fail answers 503 with Retry-After when the wait runs out
# Puts the timeout around the wait AND the app call, so a long request inside the app is cut off.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control with one asyncio.timeout around the whole request."""

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
            async with asyncio.timeout(max_wait_s):
                async with slots:
                    await app(scope, receive, send)
        except TimeoutError:
            await JSONResponse(
                {"detail": "timed out"}, status_code=503, headers={"Retry-After": "1"}
            )(scope, receive, send)

    return guarded
