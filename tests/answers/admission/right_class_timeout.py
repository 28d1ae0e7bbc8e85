# expect: pass
# expect: pass — a class whose __call__ is the ASGI app, with an asyncio.Semaphore and asyncio.timeout.
# Written from the exercise text alone, by someone who had not read the checks.
"""Admission control as a small ASGI middleware class."""

import asyncio

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send


class Admission:
    """ASGI middleware: at most ``max_in_flight`` HTTP requests in ``app``, 503 after ``max_wait_s``."""

    def __init__(self, app: ASGIApp, max_in_flight: int, max_wait_s: float) -> None:
        self.app = app
        self.max_wait_s = max_wait_s
        self.slots = asyncio.Semaphore(max_in_flight)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(
            {"detail": f"no free slot within {self.max_wait_s} s"},
            status_code=503,
            headers={"Retry-After": "1"},
        )
        await response(scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        try:
            async with asyncio.timeout(self.max_wait_s):
                await self.slots.acquire()
        except TimeoutError:
            await self._reject(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.slots.release()


def admit(app: ASGIApp, max_in_flight: int, max_wait_s: float) -> ASGIApp:
    """Return an ASGI app that runs at most ``max_in_flight`` HTTP requests of ``app`` at once."""
    return Admission(app, max_in_flight, max_wait_s)
