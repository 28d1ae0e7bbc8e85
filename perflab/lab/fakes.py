"""Fakes for lessons: a slow external API served in the kernel, and a slow database call."""

from __future__ import annotations

import asyncio
import random
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from perflab.serving.kernel import Server, serve

__all__ = ["FakeAPI", "SlowDatabase", "Stats", "fake_api", "quiet_app", "slow_db"]


def quiet_app(**kwargs: Any) -> FastAPI:
    """Return a FastAPI app with FastAPI 0.165's built-in telemetry off, as benchmarks want.

    Args:
        **kwargs: Passed on to ``FastAPI()``.
    """
    return FastAPI(telemetry={"tracing": False, "metrics": False, "logs": False}, **kwargs)


@dataclass
class Stats:
    """What a fake saw: calls, failures, concurrency (peak and summed over time) and distinct client connections.

    ``in_flight_s`` adds up the time each call spent in flight: divided by a span of wall-clock
    time, it gives the average number of calls in flight during that span.
    """

    calls: int = 0
    failures: int = 0
    in_flight: int = 0
    peak_in_flight: int = 0
    in_flight_s: float = 0.0
    connections: set[tuple[str, int]] = field(default_factory=set)
    _changed: float = field(default_factory=time.perf_counter, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def _add_time_in_flight(self) -> None:
        now = time.perf_counter()
        self.in_flight_s += self.in_flight * (now - self._changed)
        self._changed = now

    def enter(self, client: tuple[str, int] | None) -> None:
        """Count a call that starts now.

        Args:
            client: The caller's (host, port): a new port means a new TCP connection.
        """
        with self._lock:
            self._add_time_in_flight()
            self.calls += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            if client:
                self.connections.add(tuple(client))

    def leave(self, failed: bool = False) -> None:
        """Count a call that ends now.

        Args:
            failed: Whether the call answered with an error. Defaults to False.
        """
        with self._lock:
            self._add_time_in_flight()
            self.in_flight -= 1
            self.failures += failed

    def reset(self) -> None:
        """Forget everything counted so far."""
        with self._lock:
            self.calls = self.failures = self.in_flight = self.peak_in_flight = 0
            self.in_flight_s, self._changed = 0.0, time.perf_counter()
            self.connections = set()


class FakeAPI:
    """A slow, sometimes failing external API, served on 127.0.0.1 inside the kernel.

    Its settings are plain attributes, so a lesson can make it slower or flakier mid-demo.

    Args:
        name: Its name, returned in every answer. Defaults to "api".
        latency_ms: How long each call takes. Defaults to 100.
        jitter_ms: Extra random delay, up to this much. Defaults to 0.
        failure_rate: The share of calls that answer 503, from 0 to 1. Defaults to 0.
        seed: Seed for jitter and failures, for repeatable demos. Defaults to 0.
        capacity: How many calls it serves at once; beyond that it answers 503, as an overloaded
            service does. Defaults to None, no limit.
    """

    def __init__(self, name: str = "api", latency_ms: float = 100, jitter_ms: float = 0,
                 failure_rate: float = 0.0, seed: int = 0, capacity: int | None = None) -> None:
        self.name, self.latency_ms, self.jitter_ms = name, latency_ms, jitter_ms
        self.failure_rate, self.capacity = failure_rate, capacity
        self.stats = Stats()
        self._random = random.Random(seed)
        self.app = self._build_app()
        self.server: Server | None = None

    def _build_app(self) -> FastAPI:
        app = quiet_app(title=f"fake {self.name}")

        @app.get("/items/{item_id}")
        async def item(item_id: int, request: Request) -> Any:
            return await self._answer(request, {"api": self.name, "item_id": item_id, "value": item_id * 10})

        @app.get("/")
        async def root(request: Request) -> Any:
            return await self._answer(request, {"api": self.name})

        return app

    async def _answer(self, request: Request, body: dict[str, Any]) -> Any:
        self.stats.enter(request.client and (request.client.host, request.client.port))
        overloaded = self.capacity is not None and self.stats.in_flight > self.capacity
        failed = overloaded or self._random.random() < self.failure_rate
        try:
            await asyncio.sleep((self.latency_ms + self._random.uniform(0, self.jitter_ms)) / 1000)
        finally:
            self.stats.leave(failed)
        if failed:
            return JSONResponse({"detail": f"{self.name} is unavailable"}, status_code=503)
        return body

    @property
    def url(self) -> str:
        """The base URL, once served."""
        if self.server is None:
            raise RuntimeError("serve this FakeAPI first: fake_api() does that for you")
        return self.server.url

    def stop(self) -> None:
        """Stop serving."""
        if self.server is not None:
            self.server.stop()


def fake_api(name: str = "api", latency_ms: float = 100, jitter_ms: float = 0,
             failure_rate: float = 0.0, seed: int = 0, capacity: int | None = None) -> FakeAPI:
    """Create a FakeAPI and serve it in the kernel; calling again with the same name replaces it.

    Args:
        name: Its name, also the server's name. Defaults to "api".
        latency_ms: How long each call takes. Defaults to 100.
        jitter_ms: Extra random delay, up to this much. Defaults to 0.
        failure_rate: The share of calls that answer 503, from 0 to 1. Defaults to 0.
        seed: Seed for jitter and failures. Defaults to 0.
        capacity: Calls served at once before it answers 503. Defaults to None, no limit.
    """
    api = FakeAPI(name, latency_ms, jitter_ms, failure_rate, seed, capacity)
    api.server = serve(api.app, name=f"fake-api-{name}")
    return api


class SlowDatabase:
    """A stand-in for a slow database query, with a call counter.

    Rows carry a datetime and a Decimal on purpose: JSON caching must round-trip them faithfully.

    Args:
        latency_ms: How long each query takes. Defaults to 50.
    """

    def __init__(self, latency_ms: float = 50) -> None:
        self.latency_ms = latency_ms
        self.stats = Stats()
        self._changes: dict[int | str, dict[str, Any]] = {}

    def _row(self, key: int | str) -> dict[str, Any]:
        row = {
            "id": key,
            "name": f"product {key}",
            "price": Decimal("9.99"),
            "updated_at": datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc),
        }
        return row | self._changes.get(key, {})

    async def update(self, key: int | str, **fields: Any) -> dict[str, Any]:
        """Change fields of the row for ``key`` after ``latency_ms``, stamp ``updated_at``, and return the row.

        Args:
            key: Which row.
            **fields: The new values, such as ``price=Decimal("12.50")``.
        """
        await self.fetch(key)  # a write costs a round trip too, and counts as a call
        stamp = datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc) + timedelta(seconds=self.stats.calls)
        self._changes[key] = self._changes.get(key, {}) | fields | {"updated_at": stamp}
        return self._row(key)

    async def fetch(self, key: int | str) -> dict[str, Any]:
        """Return the row for ``key`` after ``latency_ms``, awaiting so the event loop stays free.

        Args:
            key: Which row.
        """
        self.stats.enter(None)
        try:
            await asyncio.sleep(self.latency_ms / 1000)
        finally:
            self.stats.leave()
        return self._row(key)

    def fetch_blocking(self, key: int | str) -> dict[str, Any]:
        """Return the row for ``key`` after ``latency_ms``, blocking like a sync driver does.

        Args:
            key: Which row.
        """
        self.stats.enter(None)
        try:
            time.sleep(self.latency_ms / 1000)
        finally:
            self.stats.leave()
        return self._row(key)

    @property
    def calls(self) -> int:
        """How many queries ran since the last reset."""
        return self.stats.calls


def slow_db(latency_ms: float = 50) -> SlowDatabase:
    """Return a SlowDatabase whose queries take ``latency_ms``.

    Args:
        latency_ms: How long each query takes. Defaults to 50.
    """
    return SlowDatabase(latency_ms)
