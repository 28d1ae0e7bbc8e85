"""The data stores a lesson talks to: fakeredis and SQLite by default, real servers on request.

Set ``REDIS_URL`` or ``DATABASE_URL`` and the same notebook runs against a real Redis or
PostgreSQL. Create clients inside the app's ``lifespan``: an async client belongs to the event
loop it was first used on, and an app served by perflab runs on its own loop in a thread.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import fakeredis
import redis.asyncio as aioredis
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

__all__ = ["database_url", "redis_backend", "redis_client", "reset_fake_redis", "sql_engine"]

_fake_server = {"server": fakeredis.FakeServer()}
_scratch: dict[str, Path] = {}


def redis_backend() -> str:
    """Return "redis" when ``REDIS_URL`` points at a real server, else "fakeredis"."""
    return "redis" if os.environ.get("REDIS_URL") else "fakeredis"


def redis_client(decode_responses: bool = True, **kwargs: Any) -> aioredis.Redis:
    """Return an async Redis client: real when ``REDIS_URL`` is set, else an in-kernel fakeredis.

    Every fake client shares one in-kernel server, so an app and the notebook see the same keys.

    Args:
        decode_responses: Return ``str`` instead of ``bytes``. Defaults to True.
        **kwargs: Passed on to the client's constructor.
    """
    url = os.environ.get("REDIS_URL")
    if url:
        return aioredis.from_url(url, decode_responses=decode_responses, **kwargs)
    return fakeredis.FakeAsyncRedis(server=_fake_server["server"], decode_responses=decode_responses, **kwargs)


def reset_fake_redis() -> None:
    """Start the in-kernel fake Redis server afresh, empty."""
    _fake_server["server"] = fakeredis.FakeServer()


def _scratch_dir() -> Path:
    if "dir" not in _scratch:
        _scratch["dir"] = Path(tempfile.mkdtemp(prefix="perflab-db-"))
        atexit.register(shutil.rmtree, _scratch["dir"], True)
    return _scratch["dir"]


def database_url(name: str = "course") -> str:
    """Return ``DATABASE_URL`` when it is set, else the URL of a SQLite file for this kernel.

    Args:
        name: Which scratch database, so lessons do not trip over each other. Defaults to "course".
    """
    url = os.environ.get("DATABASE_URL")
    if url:
        # Async drivers: a plain postgresql:// URL would pick the sync psycopg2 driver.
        return url.replace("postgresql://", "postgresql+asyncpg://", 1).replace("postgres://", "postgresql+asyncpg://", 1)
    return f"sqlite+aiosqlite:///{_scratch_dir() / f'{name}.db'}"


def sql_engine(name: str = "course", echo: bool = False, **kwargs: Any) -> AsyncEngine:
    """Return a SQLAlchemy async engine: aiosqlite by default, ``DATABASE_URL`` when that is set.

    Args:
        name: Which scratch SQLite database. Defaults to "course".
        echo: Log every SQL statement. Defaults to False.
        **kwargs: Passed on to ``create_async_engine`` (pool_size, max_overflow, …).
    """
    return create_async_engine(database_url(name), echo=echo, **kwargs)
