# expect: pass
# expect: pass — an anyio.CapacityLimiter per wrap, acquired inside anyio.move_on_after.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control with anyio: a CapacityLimiter (FIFO) and a move_on_after scope on the wait."""

import anyio
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


def admit(app: ASGIApp, max_in_flight: int, max_wait_s: float) -> ASGIApp:
    """Return an ASGI app that runs at most ``max_in_flight`` HTTP requests of ``app`` at once."""
    limiter = anyio.CapacityLimiter(max_in_flight)

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        borrower = object()  # one token per request, even if two share a task
        admitted = False
        with anyio.move_on_after(max_wait_s):
            await limiter.acquire_on_behalf_of(borrower)
            admitted = True
        if not admitted:
            await JSONResponse(
                {"detail": "too many requests in flight"},
                status_code=503,
                headers={"Retry-After": "1"},
            )(scope, receive, send)
            return
        try:
            await app(scope, receive, send)
        finally:
            limiter.release_on_behalf_of(borrower)

    return guarded
