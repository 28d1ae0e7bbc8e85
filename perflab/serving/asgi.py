"""Small ASGI helpers: tell an app from a mistake, and hear why a lifespan failed."""

from __future__ import annotations

import inspect
from typing import Any

from perflab.errors import NotAnASGIApp
from perflab.i18n import _

__all__ = ["LifespanProbe", "require_asgi_app"]


def _positional_count(fn: Any) -> int | None:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return None  # builtins and C callables: give them the benefit of the doubt
    kinds = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    if any(p.kind is inspect.Parameter.VAR_POSITIONAL for p in params):
        return 3
    return sum(p.kind in kinds for p in params)


def _reason(app: Any) -> str | None:
    if app is None:
        return _("got None. Did a function forget to return the app?")
    if inspect.isclass(app):
        return _("got the class {name} itself. Create an instance first, e.g. {name}().", name=app.__name__)
    if inspect.ismodule(app):
        return _("got the module {name}. Pass the app object inside it, e.g. {name}.app.", name=app.__name__)
    if not callable(app):
        return _("got an object of type {kind}, which cannot be called.", kind=type(app).__name__)
    count = _positional_count(app)
    if count == 2:
        return _("got {name}, which takes 2 arguments like a WSGI (Flask-style) app.", name=_name(app))
    if count is not None and count < 3:
        return _("got {name}, which looks like a route function, not an app.", name=_name(app))
    return None


def _name(app: Any) -> str:
    return getattr(app, "__qualname__", None) or type(app).__name__


def require_asgi_app(app: Any) -> None:
    """Raise NotAnASGIApp, with a message that says what was passed, unless ``app`` looks like ASGI.

    Args:
        app: The object a learner passed as an application.
    """
    reason = _reason(app)
    if reason is not None:
        raise NotAnASGIApp(
            _("serve() needs an ASGI application such as app = FastAPI(), but it {reason}", reason=reason)
        )


class LifespanProbe:
    """Wraps an ASGI app and remembers why its lifespan startup failed, if it did.

    Args:
        app: The ASGI application to wrap.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self.failure: str | None = None

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def watching_send(message: dict) -> None:
            if message["type"] == "lifespan.startup.failed":
                self.failure = _last_line(message.get("message", ""))
            await send(message)

        try:
            await self.app(scope, receive, watching_send)
        except BaseException as exc:
            # A raw ASGI app may raise without sending ".failed": remember that too.
            self.failure = self.failure or f"{type(exc).__name__}: {exc}"
            raise


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""
