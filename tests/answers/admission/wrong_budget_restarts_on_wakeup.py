# expect: fail answers 503 with Retry-After when the wait runs out
# Restarts the max_wait_s timer each time a waiter is woken but loses the race, so it can wait far longer than the budget.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control with an asyncio.Condition and a per-wait timeout."""

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


def admit(app: ASGIApp, max_in_flight: int, max_wait_s: float) -> ASGIApp:
    """Return an ASGI app that runs at most ``max_in_flight`` HTTP requests of ``app`` at once."""
    cond = asyncio.Condition()
    running = 0

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        nonlocal running
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        admitted = True
        async with cond:
            while running >= max_in_flight:
                try:
                    await asyncio.wait_for(cond.wait(), max_wait_s)
                except asyncio.TimeoutError:
                    admitted = False
                    break
            if admitted:
                running += 1
        if not admitted:
            await JSONResponse(
                {"detail": "server busy"}, status_code=503, headers={"Retry-After": "1"}
            )(scope, receive, send)
            return
        try:
            await app(scope, receive, send)
        finally:
            async with cond:
                running -= 1
                cond.notify_all()

    return guarded
