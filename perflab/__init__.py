"""FastAPI Performance Lab: serve, load, time, plot and check FastAPI apps inside a notebook.

Names load lazily on first use, so ``perflab`` on the command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

from perflab.errors import install_short_tracebacks
from perflab.i18n import LANGUAGES, current_language, use_language

install_short_tracebacks()

__all__ = [
    "LANGUAGES",
    "asgi_client",
    "check",
    "check_environment",
    "claim",
    "compare",
    "current_language",
    "fake_api",
    "growth_chart",
    "hint",
    "load",
    "load_panel",
    "quiet_app",
    "ratio_chart",
    "redis_client",
    "running_servers",
    "serve",
    "serve_command",
    "serve_process",
    "slow_db",
    "sql_engine",
    "stop_all",
    "stop_all_processes",
    "table",
    "task",
    "timeit_async",
    "use_language",
]
__version__ = "0.1.0"

_HOMES = {
    "asgi_client": "perflab.serving.client",
    "check": "perflab.checking.exercise",
    "check_environment": "perflab.envcheck",
    "claim": "perflab.lab.claims",
    "compare": "perflab.lab.timing",
    "fake_api": "perflab.lab.fakes",
    "hint": "perflab.checking.exercise",
    "load": "perflab.plots.live",
    "load_panel": "perflab.plots.widgets",
    "quiet_app": "perflab.lab.fakes",
    "growth_chart": "perflab.plots.charts",
    "ratio_chart": "perflab.plots.charts",
    "redis_client": "perflab.lab.engines",
    "running_servers": "perflab.serving.kernel",
    "serve": "perflab.serving.kernel",
    "serve_command": "perflab.serving.commands",
    "serve_process": "perflab.serving.processes",
    "slow_db": "perflab.lab.fakes",
    "sql_engine": "perflab.lab.engines",
    "stop_all": "perflab.serving.kernel",
    "stop_all_processes": "perflab.serving.processes",
    "table": "perflab.render",
    "task": "perflab.checking.exercise",
    "timeit_async": "perflab.lab.timing",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'perflab' has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
