"""A side's home loop: an event loop on a thread of its own, for calls on objects exported outside any loop."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any

__all__ = ["HomeLoop", "Soon", "start_soon"]


class Soon:
    """A coroutine to be started on a loop: cancelled before it starts, it never starts (and never warns)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop, self.task = loop, None
        self._lock, self._cancelled = threading.Lock(), False

    def start(self, make: Callable[[], Coroutine[Any, Any, Any]]) -> None:
        """Create the coroutine and its task, on the loop's thread, unless cancelled first."""
        with self._lock:
            if not self._cancelled:
                self.task = self.loop.create_task(make())

    def cancel(self) -> None:
        """Cancel it: before it starts, or while it runs."""
        with self._lock:
            self._cancelled = True
            task = self.task
        if task is not None:
            self.loop.call_soon_threadsafe(task.cancel)


def start_soon(loop: asyncio.AbstractEventLoop, make: Callable[[], Coroutine[Any, Any, Any]]) -> Soon:
    """Start ``make()`` on ``loop`` from another thread; the coroutine is only created once the loop runs it.

    ``asyncio.run_coroutine_threadsafe`` creates the coroutine at once, so one whose loop stops
    first is never awaited, and Python warns about it.

    Args:
        loop: The loop to run on. RuntimeError if it is closed.
        make: Creates the coroutine.
    """
    soon = Soon(loop)
    loop.call_soon_threadsafe(soon.start, make)
    return soon


class HomeLoop:
    """An event loop that runs on a daemon thread from ``start`` until ``stop``."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="perflab-home-loop", daemon=True)

    def start(self) -> asyncio.AbstractEventLoop:
        """Start the thread; return the loop."""
        self._thread.start()
        return self.loop

    def stop(self) -> None:
        """Stop the loop, wait for its thread, and close it."""
        if self._thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(2.0)
        if not self._thread.is_alive() and not self.loop.is_closed():
            self.loop.close()
