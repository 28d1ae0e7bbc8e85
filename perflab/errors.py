"""Errors that perflab raises for a learner's mistakes, already in the learner's language."""

from __future__ import annotations

__all__ = [
    "NotAnASGIApp",
    "PerflabError",
    "PortInUse",
    "ServerUnreachable",
    "StartupFailed",
]


class PerflabError(Exception):
    """Base class: its message is complete, translated and shown without a long traceback."""


class NotAnASGIApp(PerflabError, TypeError):
    """``serve()`` was given something that cannot answer HTTP requests."""


class PortInUse(PerflabError, OSError):
    """The port asked for is taken by another socket."""


class StartupFailed(PerflabError, RuntimeError):
    """An app's lifespan startup raised, or it did not start in time."""


class ServerUnreachable(PerflabError, ConnectionError):
    """Nothing answers at the URL a load test or a call was pointed at."""
