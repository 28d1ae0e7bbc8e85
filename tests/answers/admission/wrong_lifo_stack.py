# expect: fail gives freed slots to waiting requests in arrival order
# Hands a freed slot to the newest waiter (pop from the end of the deque) instead of the oldest.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control by hand: a running count and a stack of waiting futures.

A freed slot is handed straight to a waiter (the count does not drop), so a newcomer
can never slip in ahead of someone already queued.
"""

import asyncio
from collections import deque

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


def admit(app: ASGIApp, max_in_flight: int, max_wait_s: float) -> ASGIApp:
    """Return an ASGI app that runs at most ``max_in_flight`` HTTP requests of ``app`` at once."""
    running = 0
    waiters: deque[asyncio.Future[None]] = deque()

    def release() -> None:
        nonlocal running
        while waiters:
            fut = waiters.pop()  # newest waiter first
            if not fut.done():
                fut.set_result(None)  # slot handed over, running stays the same
                return
        running -= 1

    async def acquire() -> bool:
        nonlocal running
        if running < max_in_flight and not waiters:
            running += 1
            return True
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        waiters.append(fut)
        try:
            await asyncio.wait_for(asyncio.shield(fut), max_wait_s)
            return True
        except asyncio.TimeoutError:
            if fut.done():  # handed a slot at the very last moment: keep it
                return True
            fut.cancel()
            return False
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                release()  # we were given a slot but will not use it
            else:
                fut.cancel()
            raise

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        if not await acquire():
            await JSONResponse(
                {"detail": "queue wait exceeded"}, status_code=503, headers={"Retry-After": "1"}
            )(scope, receive, send)
            return
        try:
            await app(scope, receive, send)
        finally:
            release()

    return guarded
