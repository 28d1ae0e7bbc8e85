"""Stubs: local stand-ins for the other side's objects, forwarding each use to the owner.

A coroutine function becomes a real ``async def`` (so ``inspect.iscoroutinefunction`` and
``functools.wraps`` see its name, qualified name and module); anything else becomes an instance
of a class that has exactly the owner's special methods (``__getitem__``, ``__aenter__``,
``__await__``…), so ``len()``, ``async with`` and ``await`` behave as they would on the original.
"""

from __future__ import annotations

import inspect
import weakref
from typing import Any

Peer = Any  # a perflab.checking.remote.peer.Peer; not imported, since peer imports this module

__all__ = ["describe", "globals_of", "handle_in", "remote_of", "stub"]

_SYNC = ("__getitem__", "__setitem__", "__delitem__", "__contains__", "__len__", "__iter__", "__next__",
         "__bool__", "__enter__", "__exit__", "__aiter__", "__call__")
_ASYNC = ("__aenter__", "__aexit__", "__anext__")
_SHOWN = 300  # characters of a repr kept


def _short(text: str) -> str:
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def describe(obj: Any) -> dict[str, Any]:
    """Return what the other side needs to build a stub of ``obj``: its kind, special methods and names.

    Args:
        obj: The object exported.
    """
    try:
        shown = repr(obj)
    except Exception:
        shown = f"<{type(obj).__name__}>"
    meta: dict[str, Any] = {"r": _short(shown)}
    if inspect.iscoroutinefunction(obj):
        meta["k"] = "async"
    else:
        meta["k"] = "object"
        meta["d"] = [name for name in _SYNC + _ASYNC + ("__await__",) if hasattr(type(obj), name)]
        if inspect.iscoroutinefunction(getattr(type(obj), "__call__", None)):
            meta["d"].append("async __call__")  # an ASGI app: servers look for an async __call__
    for attribute in ("__name__", "__qualname__", "__module__", "__doc__"):
        value = getattr(obj, attribute, None)
        if isinstance(value, str):
            meta[attribute] = _short(value) if attribute == "__doc__" else value
    return meta


def handle_in(obj: Any, peer: Peer) -> int | None:
    """Return the handle of ``obj`` on ``peer``'s other side if ``obj`` is one of its stubs, else None.

    Args:
        obj: Any object.
        peer: The connection.
    """
    found = remote_of(obj)
    return found[1] if found is not None and found[0] is peer else None


# Every stub, by id: a registry, not an attribute, since functools.wraps copies a function's
# attributes onto the learner's wrapper, which must not then pass for the function it wraps.
_STUBS: dict[int, tuple[weakref.ref[Any], Peer, int]] = {}


def _register(obj: Any, peer: Peer, handle: int) -> Any:
    key = id(obj)
    _STUBS[key] = (weakref.ref(obj, lambda _ref: _STUBS.pop(key, None)), peer, handle)
    return obj


def remote_of(obj: Any) -> tuple[Peer, int] | None:
    """Return ``(peer, handle)`` if ``obj`` is a stub, else None.

    Args:
        obj: Any object.
    """
    found = _STUBS.get(id(obj))
    return (found[1], found[2]) if found is not None and found[0]() is obj else None


def _async_function(peer: Peer, handle: int, meta: dict[str, Any]) -> Any:
    async def remote(*args: Any, **kwargs: Any) -> Any:
        return await peer.request("call", handle, [list(args), kwargs], await_=True)

    for attribute in ("__name__", "__qualname__", "__module__", "__doc__"):
        if attribute in meta:
            setattr(remote, attribute, meta[attribute])
    return _register(remote, peer, handle)


class Remote:
    """An object of the other side: attributes, calls and special methods are forwarded to it."""

    _perflab_remote: tuple[Peer, int]
    _perflab_repr: str

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_perflab") or name in ("__wrapped__", "__signature__", "__func__", "__self__"):
            raise AttributeError(name)
        peer, handle = object.__getattribute__(self, "_perflab_remote")
        return peer.request_sync("getattr", handle, name=name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_perflab"):
            object.__setattr__(self, name, value)
            return
        peer, handle = object.__getattribute__(self, "_perflab_remote")
        peer.request_sync("setattr", handle, value, name=name)

    def __repr__(self) -> str:
        return object.__getattribute__(self, "_perflab_repr")


def _sync_method(name: str) -> Any:
    def method(self: Remote, *args: Any, **kwargs: Any) -> Any:
        peer, handle = object.__getattribute__(self, "_perflab_remote")
        return peer.request_sync("call", handle, [list(args), kwargs], method=name)

    method.__name__ = name
    return method


def _async_method(name: str) -> Any:
    async def method(self: Remote, *args: Any, **kwargs: Any) -> Any:
        peer, handle = object.__getattribute__(self, "_perflab_remote")
        return await peer.request("call", handle, [list(args), kwargs], method=name, await_=True)

    method.__name__ = name
    return method


def _await(self: Remote) -> Any:
    peer, handle = object.__getattribute__(self, "_perflab_remote")
    return peer.request("await", handle).__await__()


_CLASSES: dict[frozenset[str], type] = {}


def _class_with(dunders: frozenset[str]) -> type:
    if dunders not in _CLASSES:
        body: dict[str, Any] = {name: _sync_method(name) for name in dunders & set(_SYNC)}
        body.update({name: _async_method(name) for name in dunders & set(_ASYNC)})
        if "async __call__" in dunders:
            body["__call__"] = _async_method("__call__")
        if "__await__" in dunders:
            body["__await__"] = _await
        _CLASSES[dunders] = type("Remote", (Remote,), body)
    return _CLASSES[dunders]


def stub(peer: Peer, handle: int, meta: dict[str, Any]) -> Any:
    """Return a stub for the other side's object ``handle``, as ``describe`` described it.

    Args:
        peer: The connection.
        handle: The other side's handle.
        meta: What ``describe`` said of the object.
    """
    if meta.get("k") == "async":
        return _async_function(peer, handle, meta)
    kind = _class_with(frozenset(str(name) for name in meta.get("d", [])))
    obj = object.__new__(kind)
    object.__setattr__(obj, "_perflab_remote", (peer, handle))
    object.__setattr__(obj, "_perflab_repr", str(meta.get("r", "<remote>")))
    return _register(obj, peer, handle)


def globals_of(function: Any) -> Any:
    """Return the globals ``function`` reads: its own module's, even when it is a stub of the subject's.

    Args:
        function: A function, or a stub of one.
    """
    found = remote_of(function)
    if found is None:
        return getattr(function, "__globals__", None)
    peer, handle = found
    return peer.request_sync("getattr", handle, name="__globals__")
