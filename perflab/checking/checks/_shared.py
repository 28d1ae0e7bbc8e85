"""A server that the checks of one run share, and JSON values compared type for type."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from perflab.checking.engine import at_end_of_run
from perflab.serving.kernel import Server, serve

__all__ = ["SharedServer", "same_json"]


def same_json(a: Any, b: Any) -> bool:
    """Return whether two JSON values are equal with the same types all the way down: 1 is not 1.0 or True.

    Args:
        a: One value.
        b: The other.
    """
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_json(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return bool(a == b)



class SharedServer:
    """An in-kernel server that the checks of one run share, stopped soon after the last lets go.

    Starting and stopping a uvicorn server costs about 0.2 s, and an exercise's checks run one
    after another: they take turns on one server instead of each starting its own.

    Args:
        name: The server's name (see ``perflab.serve``).
        build: Returns the ASGI app to serve; called each time the server starts.
        idle_s: How long an unused server keeps running. Defaults to 1.
    """

    def __init__(self, name: str, build: Callable[[], Any], idle_s: float = 1.0) -> None:
        self.name, self.build, self.idle_s = name, build, idle_s
        self._lock = threading.Lock()
        self._server: Server | None = None
        self._timer: threading.Timer | None = None

    @contextmanager
    def running(self, last: bool = False) -> Iterator[Server]:
        """Yield the running server, starting it if needed; stop it afterwards if ``last``, else soon.

        Args:
            last: Whether this is the run's last check, so the server stops at once. Defaults to False.
        """
        at_end_of_run(self.stop)  # a check that runs out of time must not leave it running after the verdict
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._server is None or not self._server.running:
                self._server = serve(self.build(), name=self.name)
            server = self._server
        try:
            yield server
        finally:
            with self._lock:
                if last:
                    self._stop_locked()
                else:
                    self._timer = threading.Timer(self.idle_s, self._expire, args=[server])
                    self._timer.daemon = True
                    self._timer.start()

    def _expire(self, server: Server) -> None:
        with self._lock:
            if self._server is server and self._timer is not None:  # not taken again since
                self._stop_locked()

    def _stop_locked(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        server, self._server, self._timer = self._server, None, None
        if server is not None:
            server.stop()  # under the lock: a check that wants the server waits, then starts a new one

    def stop(self) -> None:
        """Stop the server now, if it runs."""
        with self._lock:
            self._stop_locked()

