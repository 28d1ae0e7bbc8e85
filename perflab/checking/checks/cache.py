"""Checks for the exercise "cache": a Redis caching decorator ``cached(redis, ttl_s)``.

Every check decorates probe functions of its own, with known qualified names, that count
their calls, and hands the decorator a client of a fake Redis server of its own: empty,
deterministic, and gone afterwards, even when the course runs against a real ``REDIS_URL``.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from perflab.checking.checks._cache_lab import (
    Probe, call, call_text, decorate, fake_redis, keys_of, miss_then_hit,
)
from perflab.checking.checks._fresh import fresh_process, learner_code, run_here
from perflab.checking.checks._shared import same_json
from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.i18n import _

__all__ = ["CHECKS", "FALSY"]

NESTED = {"id": 7, "name": "Ada ✓", "price": 9.5, "ratio": 1.0, "in_stock": True, "note": None,
          "tags": ["a", "b"], "scores": [1, 2.5, None], "nested": {"empty": [], "zero": 0, "blank": ""}}
RICH = {"when": datetime(2026, 1, 1, 12, 0, tzinfo=timezone.utc), "price": Decimal("9.99")}

# Pairs of calls, (args, kwargs) each, that a careless key mixes up.
COLLISIONS: list[tuple[tuple[Any, ...], dict[str, Any], tuple[Any, ...], dict[str, Any]]] = [
    ((1, 2), {}, (12,), {}), ((1,), {}, ("1",), {}), ((None,), {}, ("None",), {}), (("a:b",), {}, ("a", "b"), {}),
    ((1,), {"page": 2}, (1,), {"page": 3}), ((1,), {"page": 2}, (1,), {"size": 2}),
]


async def serves_hits_from_redis(ns: Namespace) -> None:
    """Fail unless a second identical call returns the stored value without calling the function.

    Args:
        ns: The learner's objects.
    """
    async with fake_redis() as (redis, raw):
        probe = Probe("Catalog.lookup")
        decorated = decorate(ns, redis, probe)
        first, second = await call(decorated, "laptop", 2), await call(decorated, "laptop", 2)
        keys = await keys_of(raw)
    if not keys or probe.calls != 1 or not same_json(first, second):
        raise CheckFailed(_("The second call with the same arguments must return the value stored in Redis, "
                            "without calling the function."), input="f('laptop', 2) ×2",
                          expected=_("1 call, 1 key, the same value twice"),
                          actual=_("calls: {calls}, keys: {keys}", calls=probe.calls, keys=len(keys)))


async def names_the_function(ns: Namespace) -> None:
    """Fail unless keys contain the qualified name, so that Users.lookup and Orders.lookup never share entries.

    Args:
        ns: The learner's objects.
    """
    async with fake_redis() as (redis, raw):
        await call(decorate(ns, redis, Probe("Users.lookup")), "laptop")
        keys = await keys_of(raw)
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
    source = learner_code(ns, "cached", "def cached(redis, ttl_s)")
    here = await run_here(ns.objects, _KEYS_WRITTEN)
    if not here:
        raise CheckFailed(_("Not checked yet: nothing was written to Redis. Pass the first check first."))
    there = await fresh_process(ns, source, _KEYS_WRITTEN)
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
    async with fake_redis() as (redis, raw):
        await call(decorate(ns, redis, Probe("Catalog.lookup")), "laptop")
        ttls = {key: await raw.ttl(key) for key in await keys_of(raw)}
    if not ttls or not all(redis.ttl_s - 5 <= ttl <= redis.ttl_s for ttl in ttls.values()):
        raise CheckFailed(
            _("Every entry must expire after ttl_s seconds: pass ex=ttl_s to SET. A TTL of -1 means never."),
            input=f"ttl_s={redis.ttl_s}", expected=f"TTL {redis.ttl_s}", actual=ttls or _("no keys"),
        )


async def hit_equals_miss(ns: Namespace) -> None:
    """Fail unless a hit returns the miss's value with the same types; rich types must not turn into str.

    Args:
        ns: The learner's objects.
    """
    async with fake_redis() as (redis, raw):
        probe = Probe("Catalog.lookup", result=NESTED)
        miss, hit = await miss_then_hit(decorate(ns, redis, probe), probe, "laptop")
        if not same_json(miss, NESTED) or not same_json(hit, miss):
            raise CheckFailed(_("A hit must return exactly what the miss returned, with the same types."),
                              input=_("a function that returns {value}", value=NESTED), expected=miss, actual=hit)
        for value in random.sample(LOOKALIKES, 3):
            probe = Probe(f"Catalog.text_{LOOKALIKES.index(value)}", result=value)
            miss, hit = await miss_then_hit(decorate(ns, redis, probe), probe, "laptop")
            if not same_json(miss, value) or not same_json(hit, value):
                raise CheckFailed(_("A hit must return exactly what the miss returned, with the same types."),
                                  input=_("a function that returns {value}", value=repr(value)), expected=repr(value),
                                  actual=repr(hit))
        decorated = decorate(ns, redis, Probe("Catalog.rich", result=RICH))
        try:
            miss = await call(decorated, "laptop")
        except TypeError:
            return  # json.dumps refused a datetime: loud, and right
        hit = await call(decorated, "laptop")
    if not (isinstance(hit, dict) and hit == miss and all(type(hit[k]) is type(v) for k, v in miss.items())):
        raise CheckFailed(_("A datetime or Decimal came back as something else on a hit. Let json.dumps raise "
                            "TypeError (no default=str) rather than answer differently on a hit."),
                          input=_("a function that returns {value}", value=RICH), expected=miss, actual=hit)


async def stores_json(ns: Namespace) -> None:
    """Fail unless the stored value is the JSON text of the result (not pickle, repr or str).

    Args:
        ns: The learner's objects.
    """
    async with fake_redis() as (redis, raw):
        await call(decorate(ns, redis, Probe("Catalog.lookup", result=NESTED)), "laptop")
        stored = [await raw.get(key) for key in await keys_of(raw)]
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
    async with fake_redis() as (redis, raw):
        probe = Probe("Catalog.lookup")
        decorated = decorate(ns, redis, probe)
        await miss_then_hit(decorated, probe, "laptop")
        for args_a, kwargs_a, args_b, kwargs_b in COLLISIONS:
            await call(decorated, *args_a, **kwargs_a)
            calls = probe.calls
            answer = await call(decorated, *args_b, **kwargs_b)
            if probe.calls == calls or answer != {"args": list(args_b), "kwargs": kwargs_b}:
                raise CheckFailed(
                    _("Two different calls shared one entry: the second returned the first one's answer. "
                      "The key must encode every argument, its type, and every keyword's name and value."),
                    input=f"{call_text(args_a, kwargs_a)}, {call_text(args_b, kwargs_b)}",
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

    async with fake_redis() as (redis, raw):
        probe = Probe("Catalog.lookup", result={"ok": True}, fail_first=True)
        decorated = decorate(ns, redis, probe)
        try:
            first: Any = await call(decorated, "laptop")
        except ValueError as exc:
            first = exc
        keys = await keys_of(raw)
        if not isinstance(first, ValueError) or keys:
            raise failed(f"{first!r}, {keys}")
        second, _hit = await miss_then_hit(decorated, probe, "laptop")
    if second != {"ok": True}:
        raise failed(f"{first!r}, {keys}, {second!r}")


# Results that a truthiness test takes for "not cached": each must be a hit all the same.
FALSY: list[Any] = [None, 0, 0.0, False, "", [], {}]
# Strings that read as other JSON values: stored without json.dumps, they come back as a number, null or a list.
LOOKALIKES: list[Any] = ["123", "null", "true", "[1]", '"quoted"', "1.50"]
SHORT_TTL_S = 5  # the expiry the hit check sets by hand, below any ttl_s a run draws (23 or more)
# What a hit must not send. Reads in a pipeline (GET with TTL, say) are not seen here, and need not be.
WRITES = {"SET", "SETEX", "PSETEX", "SETNX", "GETSET", "GETEX", "GETDEL", "EXPIRE", "PEXPIRE", "EXPIREAT",
          "PEXPIREAT", "PERSIST", "DEL", "UNLINK"}


async def caches_falsy_results(ns: Namespace) -> None:
    """Fail unless results such as None, 0, [] and "" are served from Redis on the second call, like any other.

    Args:
        ns: The learner's objects.
    """
    async with fake_redis() as (redis, _raw):
        for value in random.sample(FALSY, len(FALSY)):
            probe = Probe(f"Catalog.falsy_{type(value).__name__}", result=value)
            decorated = decorate(ns, redis, probe)
            first, second = await call(decorated, "laptop"), await call(decorated, "laptop")
            if probe.calls != 1 or not same_json(first, value) or not same_json(second, value):
                raise CheckFailed(
                    _("A result of {value} was not served from Redis on the second call. Tell a hit from a miss by "
                      "GET returning None (no such key), not by whether the stored value looks empty: None, 0, [] "
                      "and \"\" are results too.", value=json.dumps(value)),
                    input=_("a function that returns {value}", value=json.dumps(value)) + ", f('laptop') ×2",
                    expected=_("1 call, the same value twice"),
                    actual=_("calls: {calls}; answers: {first}, {second}", calls=probe.calls, first=repr(first),
                             second=repr(second)))


async def hits_only_read(ns: Namespace) -> None:
    """Fail unless a hit reads with GET and writes nothing, so the entry's expiry stays as it was.

    Args:
        ns: The learner's objects.
    """
    async with fake_redis() as (redis, raw):
        probe = Probe("Catalog.lookup")
        decorated = decorate(ns, redis, probe)
        await call(decorated, "laptop")
        keys = await keys_of(raw)
        for key in keys:
            await raw.expire(key, SHORT_TTL_S)  # as if most of ttl_s had passed
        redis.commands.clear()
        await call(decorated, "laptop")
        sent, ttls = list(redis.commands), [await raw.ttl(key) for key in keys]
    if not keys or probe.calls != 1:
        raise CheckFailed(_("Not checked yet: the same call, made twice, called the function twice, so nothing "
                            "came from the cache. Pass the first check first."), input="f('laptop') ×2")
    racy = "EXISTS" in sent and "GET" in sent and sent.index("EXISTS") < sent.index("GET")
    if racy or WRITES & set(sent) or any(ttl > SHORT_TTL_S for ttl in ttls):
        raise CheckFailed(
            _("A hit must read the entry with GET and change nothing. EXISTS before GET races with expiry, and "
              "EXPIRE or SET on a hit keeps an entry that is read often alive for ever, stale."),
            input=_("a hit, {seconds} s before the entry expires", seconds=SHORT_TTL_S),
            expected="GET", actual=" ".join(sent) + f" (TTL {ttls})")


async def recomputes_what_redis_lost(ns: Namespace) -> None:
    """Fail unless, once Redis no longer holds an entry, the next call calls the function again.

    Args:
        ns: The learner's objects.
    """
    async with fake_redis() as (redis, raw):
        probe = Probe("Catalog.lookup")
        decorated = decorate(ns, redis, probe)
        await miss_then_hit(decorated, probe, "laptop")
        await raw.delete(*await keys_of(raw))  # what expiry does after ttl_s
        await call(decorated, "laptop")
    if probe.calls != 2:
        raise CheckFailed(
            _("Redis no longer held the entry (its TTL had run out), yet the function was not called again. A dict "
              "or lru_cache in front of Redis never expires: look the key up in Redis on every call."),
            input=_("f('laptop') ×2, the entry expires, then f('laptop')"), expected=_("calls: {calls}", calls=2),
            actual=_("calls: {calls}", calls=probe.calls))


CHECKS: list[Check] = [
    Check(title="a second call with the same arguments is served from Redis", run=serves_hits_from_redis),
    Check(title="the key names the function", run=names_the_function),
    Check(title="the key is the same in every process", run=same_key_in_every_process, timeout_s=30.0),
    Check(title="entries expire after ttl_s seconds", run=sets_the_ttl),
    Check(title="a hit returns exactly what the miss returned", run=hit_equals_miss),
    Check(title="results such as None, 0 and [] are cached too", run=caches_falsy_results),
    Check(title="a hit reads with GET and changes nothing", run=hits_only_read),
    Check(title="an entry gone from Redis is computed again", run=recomputes_what_redis_lost),
    Check(title="values are stored as JSON", run=stores_json),
    Check(title="different arguments never share an entry", run=keeps_arguments_apart),
    Check(title="errors are not cached", run=does_not_cache_errors),
]

