"""The smallest useful benchmark target: ``perflab.lab.apps.ping:app``.

Serve it with ``serve_process("perflab.lab.apps.ping:app")`` and point ``load()`` at ``/ping``.
"""

from __future__ import annotations

import asyncio
import time

from fastapi import FastAPI, Response

__all__ = ["app"]

# FastAPI 0.165 ships OpenTelemetry hooks; a benchmark must not pay for them.
app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})


@app.get("/ping")
async def ping() -> dict[str, bool]:
    """Answer at once, so a load test measures the server stack and not the route."""
    return {"ok": True}


@app.get("/sleep")
async def sleep(ms: float = 10.0) -> dict[str, float]:
    """Wait ``ms`` milliseconds without blocking the event loop.

    Args:
        ms: How long to wait, in milliseconds. Defaults to 10.
    """
    await asyncio.sleep(ms / 1000)
    return {"slept_ms": ms}


@app.get("/status/{code}")
async def status(code: int) -> Response:
    """Answer with an empty body and the HTTP status ``code``, to test error counting.

    Args:
        code: The HTTP status to send back, e.g. 500.
    """
    return Response(status_code=code)


@app.get("/block")
async def block(ms: float = 1000.0) -> dict[str, float]:
    """Block the event loop for ``ms`` milliseconds: a stall, during which the server answers no one.

    Args:
        ms: How long to block, in milliseconds. Defaults to 1000.
    """
    time.sleep(ms / 1000)  # on purpose: what a blocking call in an async route does to every request
    return {"blocked_ms": ms}
