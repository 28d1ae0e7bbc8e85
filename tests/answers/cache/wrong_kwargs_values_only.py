# expect: fail different arguments never share an entry
# The key encodes the keyword arguments' values but not their names, so f(1, page=2) and f(1, size=2) share one entry.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise cache: a Redis caching decorator for async functions."""

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis

AsyncFunction = Callable[..., Awaitable[Any]]


def make_key(func: AsyncFunction, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Return the cache key for one call of ``func``: the same in every process."""
    arguments = json.dumps([*args, *kwargs.values()])
    return f"cache:{func.__module__}:{func.__qualname__}:{arguments}"


def cached(redis: aioredis.Redis, ttl_s: int) -> Callable[[AsyncFunction], AsyncFunction]:
    """Return a decorator that caches an async function's JSON results in Redis for ``ttl_s``."""

    def decorate(func: AsyncFunction) -> AsyncFunction:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(func, args, kwargs)
            stored = await redis.get(key)
            if stored is not None:
                return json.loads(stored)
            result = await func(*args, **kwargs)
            await redis.set(key, json.dumps(result), ex=ttl_s)
            return result

        return wrapper

    return decorate
