"""What the checks of the exercise "cache" share: a fake Redis that records commands, and probe functions."""

from __future__ import annotations

import inspect
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import fakeredis
import redis.asyncio as aioredis

from perflab.checking.engine import CheckFailed, Namespace
from perflab.i18n import _

__all__ = ["ECHO", "Probe", "RecordingRedis", "call", "call_text", "decorate", "draw_ttl_s", "fake_redis", "keys_of",
           "miss_then_hit"]

ECHO = object()  # a probe's default result: its own arguments, so each answer shows which call it belongs to


def draw_ttl_s() -> int:
    """Return a TTL drawn for this run: unusual, so a hard-coded 60 or 3600 shows."""
    return random.choice([n for n in range(23, 98) if n % 10 and n != 60])


class RecordingRedis(fakeredis.FakeAsyncRedis):
    """A fake async Redis client that records the name of every command it sends, in order, and the TTL to use."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: list[str] = []
        self.ttl_s = draw_ttl_s()  # what the learner's decorator is given as ttl_s

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        """Record the command's name, then send it.

        Args:
            *args: The command and its arguments.
            **options: What redis-py passes along.
        """
        self.commands.append(str(args[0]).upper() if args else "")
        return await super().execute_command(*args, **options)


@asynccontextmanager
async def fake_redis() -> AsyncIterator[tuple[RecordingRedis, aioredis.Redis]]:
    """Yield the client the learner's decorator gets, and a raw one on the same empty fake server."""
    server = fakeredis.FakeServer()
    redis, raw = RecordingRedis(server=server, decode_responses=True), fakeredis.FakeAsyncRedis(server=server)
    try:
        yield redis, raw
    finally:
        await redis.aclose()
        await raw.aclose()


async def keys_of(raw: aioredis.Redis) -> list[str]:
    return sorted([key.decode("utf-8", "replace") async for key in raw.scan_iter(count=1000)])


class Probe:
    """An async function with a chosen qualified name that counts calls and echoes its arguments.

    Args:
        qualname: Its ``__qualname__``, e.g. "Catalog.lookup".
        result: What to return instead of the echo: None, 0 and [] too. Defaults to the echo.
        fail_first: Raise ValueError on the first call. Defaults to False.
    """

    def __init__(self, qualname: str, result: Any = ECHO, fail_first: bool = False) -> None:
        self.calls, self.result, self.fail_first = 0, result, fail_first

        async def probe(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.fail_first and self.calls == 1:
                raise ValueError("the database is down")
            return {"args": list(args), "kwargs": kwargs} if self.result is ECHO else self.result

        probe.__module__, probe.__qualname__, probe.__name__ = "perflab_check_cache", qualname, qualname.split(".")[-1]
        self.function = probe


def decorate(ns: Namespace, redis: RecordingRedis, probe: Probe) -> Callable[..., Any]:
    decorated = ns.require("cached", "def cached(redis, ttl_s)")(redis, redis.ttl_s)(probe.function)
    if not inspect.iscoroutinefunction(decorated):
        raise CheckFailed(_("The decorated function must be async: define the wrapper with async def."),
                          expected="async def wrapper(...)", actual=repr(decorated))
    return decorated


def call_text(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return "f(" + ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]) + ")"


async def call(decorated: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return await decorated(*args, **kwargs)
    except TypeError as exc:
        if "coroutine" not in str(exc):
            raise
        raise CheckFailed(_("Every command on an async Redis client returns a coroutine: await it, "
                            "e.g. stored = await redis.get(key)."), actual=f"TypeError: {exc}") from None


async def miss_then_hit(decorated: Callable[..., Any], probe: Probe, *args: Any) -> tuple[Any, Any]:
    calls = probe.calls
    miss, hit = await call(decorated, *args), await call(decorated, *args)
    if probe.calls != calls + 1:
        raise CheckFailed(_("Not checked yet: the same call, made twice, called the function twice, so nothing "
                            "came from the cache. Pass the first check first."), input=call_text(args, {}) + " ×2")
    return miss, hit

