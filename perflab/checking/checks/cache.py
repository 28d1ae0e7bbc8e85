"""Checks for the exercise "cache": a Redis caching decorator ``cached(redis, ttl_s)``.

Every check decorates probe functions of its own, with known qualified names, that count
their calls, and hands the decorator a client of a fake Redis server of its own: empty,
deterministic, and gone afterwards, even when the course runs against a real ``REDIS_URL``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

import fakeredis
import redis.asyncio as aioredis

from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.checking.checks._fresh import definitions_of, run_fresh, run_here
from perflab.checking.checks._shared import same_json
from perflab.i18n import _

__all__ = ["CHECKS", "TTL_S"]

TTL_S = 37  # an unusual TTL, so a hard-coded 60 shows
NESTED = {"id": 7, "name": "Ada ✓", "price": 9.5, "ratio": 1.0, "in_stock": True, "note": None,
          "tags": ["a", "b"], "scores": [1, 2.5, None], "nested": {"empty": [], "zero": 0, "blank": ""}}
RICH = {"when": datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc), "price": Decimal("9.99")}
# Pairs of calls, (args, kwargs) each, that a careless key mixes up.
COLLISIONS: list[tuple[tuple[Any, ...], dict[str, Any], tuple[Any, ...], dict[str, Any]]] = [
    ((1, 2), {}, (12,), {}), ((1,), {}, ("1",), {}), ((None,), {}, ("None",), {}), (("a:b",), {}, ("a", "b"), {}),
    ((1,), {"page": 2}, (1,), {"page": 3}), ((1,), {"page": 2}, (1,), {"size": 2}),
]


@asynccontextmanager
async def _lab() -> AsyncIterator[tuple[aioredis.Redis, aioredis.Redis]]:  # the learner's client, a raw one
    server = fakeredis.FakeServer()
    redis, raw = fakeredis.FakeAsyncRedis(server=server, decode_responses=True), fakeredis.FakeAsyncRedis(server=server)
    try:
        yield redis, raw
    finally:
        await redis.aclose()
        await raw.aclose()


async def _keys(raw: aioredis.Redis) -> list[str]:
    return sorted([key.decode("utf-8", "replace") async for key in raw.scan_iter(count=1000)])


class Probe:
    """An async function with a chosen qualified name that counts calls and echoes its arguments.

    Args:
        qualname: Its ``__qualname__``, e.g. "Catalog.lookup".
        result: What to return instead of the echo. Defaults to the echo.
        fail_first: Raise ValueError on the first call. Defaults to False.
    """

    def __init__(self, qualname: str, result: Any = None, fail_first: bool = False) -> None:
        self.calls, self.result, self.fail_first = 0, result, fail_first

        async def probe(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.fail_first and self.calls == 1:
                raise ValueError("the database is down")
            return self.result if self.result is not None else {"args": list(args), "kwargs": kwargs}

        probe.__module__, probe.__qualname__, probe.__name__ = "perflab_check_cache", qualname, qualname.split(".")[-1]
        self.function = probe


def _decorate(ns: Namespace, redis: aioredis.Redis, probe: Probe) -> Callable[..., Any]:
    decorated = ns.require("cached", "def cached(redis, ttl_s)")(redis, TTL_S)(probe.function)
    if not inspect.iscoroutinefunction(decorated):
        raise CheckFailed(_("The decorated function must be async: define the wrapper with async def."),
                          expected="async def wrapper(...)", actual=repr(decorated))
    return decorated


def _call_text(args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    return "f(" + ", ".join([repr(a) for a in args] + [f"{k}={v!r}" for k, v in kwargs.items()]) + ")"


async def _call(decorated: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    try:
        return await decorated(*args, **kwargs)
    except TypeError as exc:
        if "coroutine" not in str(exc):
            raise
        raise CheckFailed(_("Every command on an async Redis client returns a coroutine: await it, "
                            "e.g. stored = await redis.get(key)."), actual=f"TypeError: {exc}") from None


async def _miss_then_hit(decorated: Callable[..., Any], probe: Probe, *args: Any) -> tuple[Any, Any]:
    calls = probe.calls
    miss, hit = await _call(decorated, *args), await _call(decorated, *args)
    if probe.calls != calls + 1:
        raise CheckFailed(_("Not checked yet: the same call, made twice, called the function twice, so nothing "
                            "came from the cache. Pass the first check first."), input=_call_text(args, {}) + " ×2")
    return miss, hit


async def serves_hits_from_redis(ns: Namespace) -> None:
    """Fail unless a second identical call returns the stored value without calling the function.

    Args:
        ns: The learner's objects.
    """
    async with _lab() as (redis, raw):
        probe = Probe("Catalog.lookup")
        decorated = _decorate(ns, redis, probe)
        first, second = await _call(decorated, "laptop", 2), await _call(decorated, "laptop", 2)
        keys = await _keys(raw)
    if not keys or probe.calls != 1 or not same_json(first, second):
        raise CheckFailed(_("The second call with the same arguments must return the value stored in Redis, "
                            "without calling the function."), input="f('laptop', 2) ×2",
                          expected=_("1 call, 1 key, the same value twice"),
                          actual=_("{calls} calls, {keys} keys", calls=probe.calls, keys=len(keys)))


async def names_the_function(ns: Namespace) -> None:
    """Fail unless keys contain the qualified name, so that Users.lookup and Orders.lookup never share entries.

    Args:
        ns: The learner's objects.
    """
    async with _lab() as (redis, raw):
        await _call(_decorate(ns, redis, Probe("Users.lookup")), "laptop")
        keys = await _keys(raw)
    if not keys or not all("Users.lookup" in key for key in keys):
        raise CheckFailed(_("The key must name the function by its qualified name (__qualname__): two functions "
                            "called lookup in different classes must not share entries."), input="Users.lookup",
                          expected=_("a key that contains {name}", name="Users.lookup"), actual=keys)


# Runs here and in a fresh process with another hash seed: the keys a decorator writes.
_KEYS_WRITTEN = """
async def main(learner):
    import fakeredis
    redis = fakeredis.FakeAsyncRedis(server=fakeredis.FakeServer(), decode_responses=True)
    async def lookup(*args, **kwargs):
        return {"args": list(args), "kwargs": kwargs}
    lookup.__module__, lookup.__qualname__ = "perflab_check_cache", "Catalog.lookup"
    decorated = learner["cached"](redis, 60)(lookup)
    await decorated("laptop", "EUR")
    await decorated("shoes", query="red", page=2)
    keys = sorted([key async for key in redis.scan_iter()])
    await redis.aclose()
    return keys
"""


async def same_key_in_every_process(ns: Namespace) -> None:
    """Fail unless a fresh process with another hash seed writes the very same keys.

    Args:
        ns: The learner's objects.
    """
    source = definitions_of(ns.require("cached", "def cached(redis, ttl_s)"), "cached")
    here = await run_here(ns.objects, _KEYS_WRITTEN)
    if not here:
        raise CheckFailed(_("Not checked yet: nothing was written to Redis. Pass the first check first."))
    there = await asyncio.to_thread(run_fresh, source, _KEYS_WRITTEN)
    if here != there:
        raise CheckFailed(
            _("The same calls wrote different keys in another Python process. hash() of a str differs from "
              "process to process (PYTHONHASHSEED), so workers and restarts would never share entries. "
              "Build the key from the arguments themselves, e.g. as JSON."),
            input="f('laptop', 'EUR'), f('shoes', query='red', page=2)", expected=here, actual=there,
        )


async def sets_the_ttl(ns: Namespace) -> None:
    """Fail unless every entry is written with an expiry of ttl_s seconds (read with TTL).

    Args:
        ns: The learner's objects.
    """
    async with _lab() as (redis, raw):
        await _call(_decorate(ns, redis, Probe("Catalog.lookup")), "laptop")
        ttls = {key: await raw.ttl(key) for key in await _keys(raw)}
    if not ttls or not all(TTL_S - 5 <= ttl <= TTL_S for ttl in ttls.values()):
        raise CheckFailed(
            _("Every entry must expire after ttl_s seconds: pass ex=ttl_s to SET. A TTL of -1 means never."),
            input=f"ttl_s={TTL_S}", expected=f"TTL {TTL_S}", actual=ttls or _("no keys"),
        )


async def hit_equals_miss(ns: Namespace) -> None:
    """Fail unless a hit returns the miss's value with the same types; rich types must not turn into str.

    Args:
        ns: The learner's objects.
    """
    async with _lab() as (redis, raw):
        probe = Probe("Catalog.lookup", result=NESTED)
        miss, hit = await _miss_then_hit(_decorate(ns, redis, probe), probe, "laptop")
        if not same_json(miss, NESTED) or not same_json(hit, miss):
            raise CheckFailed(_("A hit must return exactly what the miss returned, with the same types."),
                              input=_("a function that returns {value}", value=NESTED), expected=miss, actual=hit)
        decorated = _decorate(ns, redis, Probe("Catalog.rich", result=RICH))
        try:
            miss = await _call(decorated, "laptop")
        except TypeError:
            return  # json.dumps refused a datetime: loud, and right
        hit = await _call(decorated, "laptop")
    if not (isinstance(hit, dict) and hit == miss and all(type(hit[k]) is type(v) for k, v in miss.items())):
        raise CheckFailed(_("A datetime or Decimal came back as something else on a hit. Let json.dumps raise "
                            "TypeError (no default=str) rather than answer differently on a hit."),
                          input=_("a function that returns {value}", value=RICH), expected=miss, actual=hit)


async def stores_json(ns: Namespace) -> None:
    """Fail unless the stored value is the JSON text of the result (not pickle, repr or str).

    Args:
        ns: The learner's objects.
    """
    async with _lab() as (redis, raw):
        await _call(_decorate(ns, redis, Probe("Catalog.lookup", result=NESTED)), "laptop")
        stored = [await raw.get(key) for key in await _keys(raw)]
    for value in stored:
        try:
            if isinstance(value, bytes) and same_json(json.loads(value.decode("utf-8")), NESTED):
                return
        except ValueError:  # UnicodeDecodeError and JSONDecodeError both are
            continue
    raise CheckFailed(_("Store the result as JSON text (json.dumps): any language can read it, and loading it "
                        "cannot run code the way pickle can."),
                      input=_("a function that returns {value}", value=NESTED), expected=json.dumps(NESTED),
                      actual=stored)


async def keeps_arguments_apart(ns: Namespace) -> None:
    """Fail unless calls with different arguments (COLLISIONS) each call the function: no shared entries.

    Args:
        ns: The learner's objects.
    """
    async with _lab() as (redis, raw):
        probe = Probe("Catalog.lookup")
        decorated = _decorate(ns, redis, probe)
        await _miss_then_hit(decorated, probe, "laptop")
        for args_a, kwargs_a, args_b, kwargs_b in COLLISIONS:
            await _call(decorated, *args_a, **kwargs_a)
            calls = probe.calls
            answer = await _call(decorated, *args_b, **kwargs_b)
            if probe.calls == calls or answer != {"args": list(args_b), "kwargs": kwargs_b}:
                raise CheckFailed(
                    _("Two different calls shared one entry: the second returned the first one's answer. "
                      "The key must encode every argument, its type, and every keyword's name and value."),
                    input=f"{_call_text(args_a, kwargs_a)}, {_call_text(args_b, kwargs_b)}",
                    expected={"args": list(args_b), "kwargs": kwargs_b}, actual=answer,
                )


async def does_not_cache_errors(ns: Namespace) -> None:
    """Fail unless an exception reaches the caller, nothing is stored, and the next call runs again.

    Args:
        ns: The learner's objects.
    """
    def failed(actual: str) -> CheckFailed:
        return CheckFailed(
            _("When the function raises, the exception must reach the caller and nothing may be stored: "
              "the next call must call the function again."),
            input=_("the first call raises ValueError, the second returns {value}", value={"ok": True}),
            expected=_("ValueError, no key, then {value}", value={"ok": True}), actual=actual,
        )

    async with _lab() as (redis, raw):
        probe = Probe("Catalog.lookup", result={"ok": True}, fail_first=True)
        decorated = _decorate(ns, redis, probe)
        try:
            first: Any = await _call(decorated, "laptop")
        except ValueError as exc:
            first = exc
        keys = await _keys(raw)
        if not isinstance(first, ValueError) or keys:
            raise failed(f"{first!r}, {keys}")
        second, _hit = await _miss_then_hit(decorated, probe, "laptop")
    if second != {"ok": True}:
        raise failed(f"{first!r}, {keys}, {second!r}")


CHECKS: list[Check] = [
    Check(title="a second call with the same arguments is served from Redis", run=serves_hits_from_redis),
    Check(title="the key names the function", run=names_the_function),
    Check(title="the key is the same in every process", run=same_key_in_every_process, timeout_s=30.0),
    Check(title="entries expire after ttl_s seconds", run=sets_the_ttl),
    Check(title="a hit returns exactly what the miss returned", run=hit_equals_miss),
    Check(title="values are stored as JSON", run=stores_json),
    Check(title="different arguments never share an entry", run=keeps_arguments_apart),
    Check(title="errors are not cached", run=does_not_cache_errors),
]
