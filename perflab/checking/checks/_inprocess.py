"""The learner's app, built and called in-process with no socket, its lifespan run as a server would.

``learner_client`` is ``asgi_client`` around the app the learner's factory builds: httpx sees
each answer whole. ``call_asgi`` is for what httpx cannot show, because its ASGI transport
collects the whole body before it answers: each message the app sends, at the moment it is sent.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from asgi_lifespan import LifespanManager

from perflab.checking.engine import CheckFailed, Namespace
from perflab.i18n import _
from perflab.serving.client import asgi_client

__all__ = ["body_of", "build_app", "call_asgi", "get_scope", "learner_client", "where_learner_runs"]

Message = dict[str, Any]


def body_of(response: httpx.Response) -> Any:
    """Return the response's JSON, or its text when it is not JSON.

    Args:
        response: An answer of the learner's app.
    """
    try:
        return response.json()
    except ValueError:
        return response.text


def build_app(ns: Namespace, name: str, signature: str, *args: Any, factory: Any = None) -> Any:
    """Return the app that the learner's factory builds from ``args``, or fail if it builds none.

    Args:
        ns: The learner's objects.
        name: The factory's name, e.g. ``"create_app"``.
        signature: How the exercise defines it, shown when it is missing.
        *args: What the factory is called with.
        factory: Another factory to call instead, e.g. the learner's code run again. Defaults to ``ns[name]``.
    """
    factory = factory or ns.require(name, signature)
    app = factory(*args)
    if app is None or not callable(app):
        call = f"{name}({signature.partition('(')[2].partition(')')[0]})"  # e.g. create_app(source)
        raise CheckFailed(_("`{call}` must return the FastAPI app.", call=call), input=call,
                          expected="FastAPI()", actual=repr(app))
    return app


@asynccontextmanager
async def learner_client(ns: Namespace, name: str, signature: str, *args: Any, factory: Any = None,
                         **kwargs: Any) -> AsyncIterator[httpx.AsyncClient]:
    """Yield an ``asgi_client`` wired to the app that the learner's factory builds from ``args``.

    Args:
        ns: The learner's objects.
        name: The factory's name, e.g. ``"create_app"``.
        signature: How the exercise defines it, shown when it is missing.
        *args: What the factory is called with.
        factory: Another factory to call instead. Defaults to ``ns[name]``.
        **kwargs: What the factory is called with by name.
    """
    factory = factory or ns.require(name, signature)
    async with asgi_client(factory(*args, **kwargs)) as client:  # asgi_client names anything that is not an app
        yield client


def get_scope(path: str, headers: list[tuple[bytes, bytes]] | None = None) -> Message:
    """Return the ASGI scope of a plain ``GET path`` from 127.0.0.1.

    Args:
        path: The path, without a query string.
        headers: The request headers. Defaults to a Host header alone.
    """
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": path, "raw_path": path.encode(), "root_path": "",
            "query_string": b"", "headers": headers or [(b"host", b"testserver")],
            "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}


async def call_asgi(app: Any, scope: Message, on_message: Callable[[Message], None], bound_s: float) -> None:
    """Call ``app`` once under its lifespan and hand ``on_message`` each message the moment the app sends it.

    The client sends an empty body and stays connected until the app is done. What the app
    raises, and ``asyncio.TimeoutError`` after ``bound_s``, reach the caller.

    Args:
        app: The ASGI app.
        scope: The request's scope (see ``get_scope``).
        on_message: Called with each ``http.response.*`` message, in order.
        bound_s: How long start-up, and then the request, may each take.
    """
    requested = False

    async def receive() -> Message:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected until the app is done
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        on_message(message)

    async with LifespanManager(app, startup_timeout=bound_s) as manager:
        await asyncio.wait_for(manager.app(scope, receive, send), bound_s)


async def where_learner_runs(ns: Namespace, function: Callable[..., Any], *args: Any) -> Any:
    """Call ``function`` where the learner's code runs: in the subject process when judged, else here.

    Args:
        ns: The learner's objects.
        function: A module-level function, so that the subject can import it.
        *args: What it is called with.
    """
    if ns.subject is not None:
        return await ns.subject.peer.run(function, *args)
    result = function(*args)
    return await result if inspect.isawaitable(result) else result
