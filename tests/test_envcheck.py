from __future__ import annotations

import asyncio

import pytest

from perflab.envcheck import check_environment


def test_report_lists_versions_and_stores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    text = str(check_environment())
    for name in ("fastapi", "uvicorn", "Redis", "SQLite"):
        assert name in text


def test_report_works_inside_a_running_loop() -> None:
    async def inside() -> str:
        return check_environment()._repr_html_()

    assert "<table" in asyncio.run(inside())


def test_unreachable_redis_is_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    report = check_environment()
    assert ("✗" in [row[2] for row in report.rows if row[0] == "Redis"]) and not report.ok
