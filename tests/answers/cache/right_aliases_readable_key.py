# expect: pass
# Style: aliased json imports, a readable call-like key, and a miss sentinel via an early-return helper.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise cache: a Redis caching decorator for async functions."""

import functools
from collections.abc import Awaitable, Callable
from json import dumps as to_json
from json import loads as from_json
from typing import Any

import redis.asyncio as aioredis

AsyncFunction = Callable[..., Awaitable[Any]]
PREFIX = "cache:"


def make_key(func: AsyncFunction, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Return the cache key for one call of ``func``: the same in every process.

    Looks like ``cache:shop.catalog:get_product(args=[1], kwargs={"page": 2})``; both parts are JSON,
    so ``1`` and ``"1"``, or ``(1, 2)`` and ``(12,)``, never collide.
    """
    name = f"{func.__module__}:{func.__qualname__}"
    return f"{PREFIX}{name}(args={to_json(list(args))}, kwargs={to_json(kwargs, sort_keys=True)})"


def cached(redis: aioredis.Redis, ttl_s: int) -> Callable[[AsyncFunction], AsyncFunction]:
    """Return a decorator that caches an async function's JSON results in Redis for ``ttl_s``."""

    async def lookup(key: str) -> tuple[bool, Any]:
        raw = await redis.get(key)
        return (False, None) if raw is None else (True, from_json(raw))

    def decorate(func: AsyncFunction) -> AsyncFunction:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(func, args, kwargs)
            found, value = await lookup(key)
            if found:
                return value
            value = await func(*args, **kwargs)
            payload = to_json(value)  # raises TypeError for a datetime or Decimal: nothing is stored
            await redis.set(key, payload, ex=ttl_s)
            return value

        return wrapper

    return decorate
