"""The uvicorn settings that ``serve_process`` passes on to its workers, checked before any worker starts."""

from __future__ import annotations

import inspect
from typing import Any

import uvicorn

from perflab.i18n import _

__all__ = ["check_uvicorn_options"]

# What the worker sets itself, or what would break serving on a socket that the kernel bound.
_FIXED = {"app", "host", "port", "uds", "fd", "workers", "reload", "http", "loop", "backlog"}


def check_uvicorn_options(options: dict[str, Any]) -> None:
    """Raise TypeError for a name that ``uvicorn.Config`` does not take, or that serve_process sets itself.

    Args:
        options: Keyword arguments meant for ``uvicorn.Config``, e.g. ``{"limit_concurrency": 20}``.
    """
    known = set(inspect.signature(uvicorn.Config).parameters) - _FIXED
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(_("serve_process() does not take {names}. It passes these uvicorn settings on: {known}.",
                          names=", ".join(unknown), known=", ".join(sorted(known))))
