"""Exercise admission: at most ``max_in_flight`` requests in the app, and a 503 for any that waits too long.

The whole task, in your language: `task("admission")` in the notebook, or `perflab task admission`
in a terminal. `perflab check admission` checks this file.
"""

from starlette.types import ASGIApp, Receive, Scope, Send


def admit(app: ASGIApp, max_in_flight: int, max_wait_s: float) -> ASGIApp:
    """Return an ASGI app that runs at most ``max_in_flight`` HTTP requests of ``app`` at once.

    Args:
        app: The ASGI app to protect, e.g. a FastAPI app.
        max_in_flight: The most HTTP requests inside ``app`` at the same time.
        max_wait_s: How long a request may wait for a slot before it is answered 503.
    """

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        # TODO: every request goes straight in, however many are already running. Let at most
        # `max_in_flight` HTTP requests into `app` at once, and answer 503 with Retry-After: 1 to one
        # that has waited `max_wait_s` for a slot.
        await app(scope, receive, send)

    return guarded
