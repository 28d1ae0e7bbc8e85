from __future__ import annotations

import anyio
import pytest
from sqlalchemy import text

from perflab.lab import engines


def test_fake_redis_clients_share_one_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)

    async def roundtrip() -> str | None:
        writer, reader = engines.redis_client(), engines.redis_client()
        await writer.set("greeting", "hi", ex=60)
        value = await reader.get("greeting")
        await writer.aclose(), await reader.aclose()
        return value

    engines.reset_fake_redis()
    assert anyio.run(roundtrip) == "hi"
    assert engines.redis_backend() == "fakeredis"


def test_redis_url_selects_a_real_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    client = engines.redis_client()
    assert engines.redis_backend() == "redis"
    assert client.connection_pool.connection_kwargs["port"] == 1


def test_sql_engine_defaults_to_a_sqlite_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DATABASE_URL", raising=False)

    async def select_one() -> int:
        engine = engines.sql_engine("test")
        async with engine.connect() as conn:
            value = (await conn.execute(text("select 1"))).scalar_one()
        await engine.dispose()
        return value

    assert anyio.run(select_one) == 1
    assert engines.database_url("test").startswith("sqlite+aiosqlite:///")


def test_database_url_is_made_async(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:p@127.0.0.1/db")
    assert engines.database_url() == "postgresql+asyncpg://u:p@127.0.0.1/db"
