from __future__ import annotations

import asyncio
import functools
import time
from decimal import Decimal

import anyio
import httpx

from perflab.lab.fakes import Stats, fake_api, slow_db


def test_fake_api_answers_and_counts() -> None:
    api = fake_api("weather", latency_ms=5)
    try:
        assert httpx.get(api.url + "/items/3").json() == {"api": "weather", "item_id": 3, "value": 30}
        assert api.stats.calls == 1
    finally:
        api.stop()


def test_stats_sum_the_time_calls_spend_in_flight() -> None:
    stats = Stats()
    stats.enter(None), stats.enter(None)  # two calls in flight for 0.1 s, then one for 0.1 s
    time.sleep(0.1)
    stats.leave()
    time.sleep(0.1)
    stats.leave()
    assert 0.28 < stats.in_flight_s < 0.5  # 2 × 0.1 + 1 × 0.1, plus scheduling
    stats.reset()
    assert stats.in_flight_s == 0


def test_fake_api_latency_is_applied() -> None:
    fast, slow = fake_api("fast", latency_ms=1), fake_api("slow", latency_ms=60)
    try:
        with httpx.Client() as client:
            client.get(fast.url), client.get(slow.url)  # warm up the connections
            start = time.perf_counter(); client.get(fast.url); fast_s = time.perf_counter() - start
            start = time.perf_counter(); client.get(slow.url); slow_s = time.perf_counter() - start
        assert slow_s > 3 * fast_s
    finally:
        fast.stop(), slow.stop()


def test_fake_api_failure_rate_one_always_fails() -> None:
    api = fake_api("down", latency_ms=0, failure_rate=1.0)
    try:
        assert httpx.get(api.url).status_code == 503
        assert api.stats.failures == 1
    finally:
        api.stop()


def test_fake_api_sees_peak_concurrency_and_connections() -> None:
    api = fake_api("busy", latency_ms=300)

    async def fan_out() -> None:
        async with httpx.AsyncClient() as client:
            await asyncio.gather(*(client.get(api.url) for _ in range(8)))

    try:
        anyio.run(fan_out)
        assert api.stats.peak_in_flight == 8
        assert len(api.stats.connections) == 8
        api.stats.reset()
        assert api.stats.calls == 0 and not api.stats.connections
    finally:
        api.stop()


def test_slow_db_counts_queries_and_returns_rich_types() -> None:
    db = slow_db(latency_ms=1)
    row = anyio.run(db.fetch, 7)
    assert row["id"] == 7 and type(row["price"]).__name__ == "Decimal"
    db.fetch_blocking(8)
    assert db.calls == 2


def test_slow_db_update_changes_the_row_and_its_timestamp() -> None:
    db = slow_db(latency_ms=1)
    before = anyio.run(db.fetch, 7)
    after = anyio.run(functools.partial(db.update, 7, price=Decimal("12.50")))
    assert after["price"] == Decimal("12.50") and after["updated_at"] > before["updated_at"]
    assert anyio.run(db.fetch, 7) == after and anyio.run(db.fetch, 8)["price"] == Decimal("9.99")


def test_fake_api_beyond_capacity_answers_503() -> None:
    api = fake_api("small", latency_ms=50, capacity=3)

    async def burst(n: int) -> list[int]:
        async with httpx.AsyncClient() as client:
            return [r.status_code for r in await asyncio.gather(*(client.get(api.url) for _ in range(n)))]

    try:
        assert anyio.run(burst, 3).count(200) == 3
        assert anyio.run(burst, 8).count(503) == 5
    finally:
        api.stop()
