# expect: fail gives freed slots to waiting requests in arrival order
# Polls a counter with asyncio.sleep, so waiters are not served in arrival order and a newcomer can jump ahead.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control with a counter and a sleep loop."""

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

POLL_S = 0.05


def admit(app: ASGIApp, max_in_flight: int, max_wait_s: float) -> ASGIApp:
    """Return an ASGI app that runs at most ``max_in_flight`` HTTP requests of ``app`` at once."""
    running = 0

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal running
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max_wait_s
        while running >= max_in_flight:
            if loop.time() >= deadline:
                await JSONResponse(
                    {"detail": "server busy"}, status_code=503, headers={"Retry-After": "1"}
                )(scope, receive, send)
                return
            await asyncio.sleep(min(POLL_S, max(0.0, deadline - loop.time())))
        running += 1
        try:
            await app(scope, receive, send)
        finally:
            running -= 1

    return guarded
