"""The environment check of chapter 00: versions, fonts, and which Redis and database are in use."""

from __future__ import annotations

import asyncio
import os
import platform
from dataclasses import dataclass
from importlib import metadata

from perflab.lab.sync import run_coroutine
from perflab.lab.engines import database_url, redis_backend, redis_client
from perflab.i18n import _, current_language
from perflab.render import table_html, table_text

__all__ = ["EnvReport", "check_environment"]

PACKAGES = ("fastapi", "starlette", "uvicorn", "pydantic", "sqlalchemy", "redis", "fakeredis", "aiohttp", "matplotlib")


@dataclass(frozen=True)
class EnvReport:
    """Rows of (what, value, verdict); renders as a table in a terminal and in Jupyter."""

    rows: tuple[tuple[str, str, str], ...]

    @property
    def ok(self) -> bool:
        """Whether every row passed."""
        return all(row[2] == "✓" for row in self.rows)

    def _headers(self) -> list[str]:
        return [_("what"), _("value"), _("ok?")]

    def __str__(self) -> str:
        return table_text(self._headers(), self.rows, title=_("Environment check"))

    def _repr_html_(self) -> str:
        return table_html(self._headers(), self.rows, title=_("Environment check"))


def _version(package: str) -> tuple[str, str]:
    try:
        return metadata.version(package), "✓"
    except metadata.PackageNotFoundError:
        return _("not installed"), "✗"


def _font_row() -> tuple[str, str, str]:
    from perflab.plots.fonts import find_bengali_font

    font = find_bengali_font()
    if font:
        return (_("Bangla font for plots"), font, "✓")
    return (_("Bangla font for plots"), _("missing: install fonts-noto-core"), "✗")


async def _redis_ping() -> str:
    client = redis_client()
    try:
        await asyncio.wait_for(client.ping(), timeout=3)
        return "✓"
    except Exception:  # any failure means "not reachable", which is what the row reports
        return "✗"
    finally:
        await client.aclose()


def _redis_row() -> tuple[str, str, str]:
    backend = redis_backend()
    where = os.environ.get("REDIS_URL", _("in-kernel fakeredis"))
    return ("Redis", f"{backend}: {where}", run_coroutine(_redis_ping, timeout_s=5))


def _database_row() -> tuple[str, str, str]:
    url = database_url()
    shown = url.split("@")[-1] if "@" in url else url  # never print a password
    kind = "PostgreSQL" if url.startswith("postgresql") else "SQLite"
    return (_("Database"), f"{kind}: {shown}", "✓")


def check_environment() -> EnvReport:
    """Check versions, the Bangla font, the language, and which Redis and database lessons use.

    Safe to call inside a running event loop: the Redis ping runs on a loop of its own.
    """
    # The cores this process may use (a container or taskset may allow fewer than the machine has).
    rows = [("Python", platform.python_version(), "✓"), (_("CPU cores"), str(len(os.sched_getaffinity(0))), "✓")]
    rows += [(name, *_version(name)) for name in PACKAGES]
    rows += [_font_row(), (_("Language"), current_language(), "✓")]
    rows += [_redis_row(), _database_row()]
    return EnvReport(tuple(rows))
