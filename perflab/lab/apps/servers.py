"""The app that chapter 07 serves in many ways: ``perflab.lab.apps.servers:app``.

Every route answers with the pid of the worker process that served it, so a load test can
count which workers answered, and when one was replaced.
"""

from __future__ import annotations

import asyncio
import os

from fastapi import FastAPI

__all__ = ["app", "spin"]

# FastAPI 0.165 ships OpenTelemetry hooks; a benchmark must not pay for them.
app = FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False})


def spin(units: int) -> int:
    """Do ``units`` of pure-Python work, each about 30 µs on one core of a 2026 laptop, and return a checksum.

    Args:
        units: How much work; the time grows in proportion.
    """
    total = 0
    for _ in range(units):
        total += sum(i * i for i in range(1000))
    return total


@app.get("/ping")
async def ping() -> dict[str, int]:
    """Answer at once."""
    return {"pid": os.getpid()}


@app.get("/work")
async def work(units: int = 30) -> dict[str, int]:
    """Hold this worker's CPU, and its event loop, for ``units`` of work: a CPU-bound request.

    Args:
        units: How much work. Defaults to 30, about 1 ms.
    """
    spin(units)
    return {"pid": os.getpid()}


@app.get("/slow")
async def slow(s: float = 1.0) -> dict[str, int]:
    """Wait ``s`` seconds without holding the CPU: a request in flight when the server is told to stop.

    Args:
        s: How long to wait. Defaults to 1 s.
    """
    await asyncio.sleep(s)
    return {"pid": os.getpid()}
