"""Errors that perflab raises for a learner's mistakes, already in the learner's language."""

from __future__ import annotations

from typing import Any

__all__ = [
    "NotAnASGIApp",
    "install_short_tracebacks",
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


def _short_traceback(shell: Any, etype: type, value: BaseException, tb: object, tb_offset: object = None) -> list[str]:
    # The message already says what went wrong and what to do; perflab's own frames would only bury it.
    # IPython leaves showing the error to the handler; the cell still counts as failed.
    stb = [f"\x1b[31m{etype.__name__}\x1b[0m: {value}"]
    shell._showtraceback(etype, value, stb)
    return stb


def install_short_tracebacks() -> bool:
    """In IPython, show a PerflabError as its translated message alone, without perflab's frames.

    Returns:
        Whether an IPython shell was found and set up.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    shell.set_custom_exc((PerflabError,), _short_traceback)
    return True
