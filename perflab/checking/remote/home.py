"""A side's home loop: an event loop on a thread of its own, for calls on objects exported outside any loop."""

from __future__ import annotations

import asyncio
import threading

__all__ = ["HomeLoop"]


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
