"""Solution admission: a semaphore for the limit, ``wait_for`` for the budget, ``finally`` to give slots back.

The whole task, in your language: `task("admission")` in the notebook, or `perflab task admission`
in a terminal. `perflab check admission` checks this file.
"""

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


def admit(app: ASGIApp, max_in_flight: int, max_wait_s: float) -> ASGIApp:
    """Return an ASGI app that runs at most ``max_in_flight`` HTTP requests of ``app`` at once.

    Args:
        app: The ASGI app to protect, e.g. a FastAPI app.
        max_in_flight: The most HTTP requests inside ``app`` at the same time.
        max_wait_s: How long a request may wait for a slot before it is answered 503.
    """
    # One semaphore per wrap: two wrapped apps must not share slots. Its waiters are served in
    # arrival order, and a waiter that times out leaves the line without taking a slot.
    slots = asyncio.Semaphore(max_in_flight)

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan and websockets are not requests to count
            await app(scope, receive, send)
            return
        try:
            await asyncio.wait_for(slots.acquire(), max_wait_s)
        except asyncio.TimeoutError:
            # The budget is spent: an answer now is worth more to the client than one later.
            busy = JSONResponse({"detail": "The server is busy; try again in a second."}, status_code=503,
                                headers={"Retry-After": "1"})
            await busy(scope, receive, send)
            return
        try:
            await app(scope, receive, send)  # started is started: no timeout here
        finally:
            slots.release()  # also when app raises, and when the request is cancelled

    return guarded
