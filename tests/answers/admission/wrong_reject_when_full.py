# expect: fail runs at most max_in_flight requests at once, and uses them all
# Answers 503 at once when every slot is taken, instead of letting the request wait up to max_wait_s.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control that sheds load immediately when the app is full."""

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
        if slots.locked():  # no free slot: no point queueing
            await JSONResponse(
                {"detail": "server busy"}, status_code=503, headers={"Retry-After": "1"}
            )(scope, receive, send)
            return
        async with slots:
            await app(scope, receive, send)

    return guarded
