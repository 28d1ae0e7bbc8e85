"""Servers by name, so that serving again under a name stops the old server first, and all stop at exit."""

from __future__ import annotations

import threading
from typing import Generic, Protocol, TypeVar

__all__ = ["Registry"]


class _Stoppable(Protocol):
    def stop(self) -> None: ...


S = TypeVar("S", bound=_Stoppable)


class Registry(Generic[S]):
    """The running servers of one kind, by name, safe to use from any thread."""

    def __init__(self) -> None:
        self._servers: dict[str, S] = {}
        self._lock = threading.RLock()

    def add(self, name: str, server: S) -> None:
        """Register ``server`` as ``name``.

        Args:
            name: Its name.
            server: The server, already running.
        """
        with self._lock:
            self._servers[name] = server

    def forget(self, name: str, server: S) -> None:
        """Drop ``name`` if it is still ``server`` (a newer server may have taken the name).

        Args:
            name: Its name.
            server: The server that is stopping.
        """
        with self._lock:
            if self._servers.get(name) is server:
                del self._servers[name]

    def servers(self) -> list[S]:
        """Return the registered servers."""
        with self._lock:
            return list(self._servers.values())

    def stop(self, name: str) -> S | None:
        """Stop the server registered as ``name``, if any, and return it.

        Args:
            name: Its name.
        """
        with self._lock:
            server = self._servers.get(name)
        if server is not None:
            server.stop()
        return server

    def stop_all(self) -> None:
        """Stop every registered server."""
        with self._lock:
            names = list(self._servers)
        for name in names:
            self.stop(name)
