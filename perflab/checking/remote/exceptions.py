"""Exceptions across the boundary: what the subject raised, as the judge can safely see it, and back.

The judge sends its exceptions pickled (the subject trusts it), and remembers each one, so an
exception of its own that passes through the learner's code comes back as the very same object.
The subject's exceptions come as names and text only: a built-in type is rebuilt (with its
``errno``), any other becomes a ``RemoteError`` subclass of the same name. Either way the
learner's line and memory limit ride along, for ``explain``.
"""

from __future__ import annotations

import builtins
import contextlib
import itertools
import pickle
from collections.abc import Callable
from typing import Any

from perflab.checking.explain import learner_line, memory_limit_mb

__all__ = ["ErrorBridge", "RemoteError"]

_MESSAGE_LIMIT = 2000  # characters of an exception's text sent


class RemoteError(Exception):
    """An exception the subject raised, of a type the judge does not load: its name and message only."""


_TYPES: dict[tuple[str, str], type] = {}


def _remote_error_type(module: str, name: str) -> type:
    if (module, name) not in _TYPES:
        _TYPES[module, name] = type(name, (RemoteError,), {"__module__": module})
    return _TYPES[module, name]


class ErrorBridge:
    """One side's way of sending and rebuilding exceptions.

    Args:
        trusted: Whether this side is the judge.
    """

    def __init__(self, trusted: bool) -> None:
        self.trusted = trusted
        self._sent: dict[int, BaseException] = {}  # the judge's exceptions, by the key it gave them
        self._received: dict[int, int] = {}  # id(exception) -> the judge's key, on the subject's side
        self._keys = itertools.count(1)

    def data(self, exc: BaseException, blobs: list[bytes], encode: Callable[[Any, list[bytes]], Any]) -> dict[str, Any]:
        """Return ``exc`` as a message's ``error`` field, appending any binary part to ``blobs``.

        Args:
            exc: The exception.
            blobs: The frame's binary parts.
            encode: The side's value encoder, for the attributes the judge sends.
        """
        kind = type(exc)
        data: dict[str, Any] = {"type": kind.__name__, "module": kind.__module__, "message": str(exc)[:_MESSAGE_LIMIT]}
        if id(exc) in self._received:
            data["origin"] = self._received[id(exc)]
        if isinstance(exc, OSError) and isinstance(exc.errno, int):
            data["errno"], data["strerror"] = exc.errno, str(exc.strerror or "")
        if not self.trusted:  # where in the learner's code, and the memory limit: for the judge's message
            data["where"], data["limit_mb"] = learner_line(exc), memory_limit_mb()
            return data
        key = next(self._keys)
        self._sent[key], data["key"] = exc, key
        with contextlib.suppress(Exception):
            blobs.append(pickle.dumps(exc))
            data["pickle"] = len(blobs) - 1
        with contextlib.suppress(Exception):
            data["attributes"] = encode(dict(vars(exc)), blobs)
        return data

    def rebuild(self, data: dict[str, Any], blobs: list[bytes], decode: Callable[[Any, list[bytes]], Any]) -> BaseException:
        """Return the exception a message's ``error`` field stands for.

        Args:
            data: The field.
            blobs: The frame's binary parts.
            decode: The side's value decoder.
        """
        if self.trusted:
            return self._from_subject(data)
        error = self._from_judge(data, blobs, decode)
        if "key" in data:
            self._received[id(error)] = int(data["key"])
        return error

    def _from_subject(self, data: dict[str, Any]) -> BaseException:
        origin = data.get("origin")
        if isinstance(origin, int) and origin in self._sent:
            return self._sent[origin]  # our own exception, passed through the learner's code
        error = _rebuilt(data)
        where = data.get("where")
        if isinstance(where, list) and len(where) == 2:
            with contextlib.suppress(Exception):
                error._perflab_where = (str(where[0]), int(where[1]))  # type: ignore[attr-defined]
        if isinstance(data.get("limit_mb"), int):
            with contextlib.suppress(Exception):
                error._perflab_limit_mb = data["limit_mb"]  # type: ignore[attr-defined]
        return error

    @staticmethod
    def _from_judge(data: dict[str, Any], blobs: list[bytes], decode: Callable[[Any, list[bytes]], Any]) -> BaseException:
        if "pickle" in data:
            with contextlib.suppress(Exception):
                return pickle.loads(blobs[int(data["pickle"])])
        message = str(data.get("message", ""))
        try:
            module = __import__(str(data["module"]), fromlist=["_"])
            kind = getattr(module, str(data["type"]))
            error = kind.__new__(kind)
            BaseException.__init__(error, message)
            for name, value in decode(data.get("attributes", {"$m": []}), blobs).items():
                setattr(error, name, value)
            return error
        except Exception:
            return _remote_error_type(str(data.get("module")), str(data.get("type")))(message)


def _rebuilt(data: dict[str, Any]) -> BaseException:
    """Return an exception like the subject's: a built-in type by name (with its errno), else a RemoteError."""
    name, module, message = str(data.get("type")), str(data.get("module")), str(data.get("message", ""))
    kind = getattr(builtins, name, None) if module == "builtins" else None
    if isinstance(kind, type) and issubclass(kind, BaseException):
        with contextlib.suppress(Exception):
            if issubclass(kind, OSError) and isinstance(data.get("errno"), int):
                return kind(data["errno"], str(data.get("strerror", "")))
            return kind(message) if message else kind()
    return _remote_error_type(module, name)(message)
