"""Run a coroutine to completion from sync code, even when the caller's thread has a running loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

__all__ = ["run_coroutine"]

T = TypeVar("T")


def run_coroutine(make: Callable[[], Awaitable[T]], timeout_s: float = 30.0) -> T:
    """Run ``make()`` on a fresh event loop in a short-lived thread and return its result.

    A Jupyter cell already runs inside an event loop, where ``asyncio.run`` refuses to start.

    Args:
        make: A function of no arguments that returns the awaitable.
        timeout_s: How long to wait before giving up with TimeoutError. Defaults to 30.
    """
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(_as_coroutine(make))
        except BaseException as exc:  # handed back to the caller's thread below
            box["error"] = exc

    thread = threading.Thread(target=target, name="perflab-run-coroutine", daemon=True)
    thread.start()
    thread.join(timeout_s)
    if thread.is_alive():
        raise TimeoutError(f"gave up after {timeout_s} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


async def _as_coroutine(make: Callable[[], Awaitable[T]]) -> T:
    return await make()
