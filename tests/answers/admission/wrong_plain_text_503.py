# expect: fail answers 503 with Retry-After when the wait runs out
# Answers 503 with Retry-After but a plain-text body instead of JSON {"detail": ...}.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control whose 503 body is plain text."""

import asyncio

from starlette.responses import PlainTextResponse
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
            await PlainTextResponse(
                "Service Unavailable", status_code=503, headers={"Retry-After": "1"}
            )(scope, receive, send)
            return
        try:
            await app(scope, receive, send)
        finally:
            slots.release()

    return guarded
