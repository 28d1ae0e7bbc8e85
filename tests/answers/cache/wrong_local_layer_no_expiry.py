# expect: fail an entry gone from Redis is computed again
# A per-process dict sits in front of Redis and is never expired, so a value keeps being served from memory after its ttl_s has passed.
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
    arguments = json.dumps([args, kwargs], sort_keys=True)
    return f"cache:{func.__module__}:{func.__qualname__}:{arguments}"


def cached(redis: aioredis.Redis, ttl_s: int) -> Callable[[AsyncFunction], AsyncFunction]:
    """Return a decorator that caches an async function's JSON results in Redis for ``ttl_s``."""
    local: dict[str, str] = {}  # saves a Redis round trip on repeated calls

    def decorate(func: AsyncFunction) -> AsyncFunction:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(func, args, kwargs)
            if key in local:
                return json.loads(local[key])
            stored = await redis.get(key)
            if stored is not None:
                local[key] = stored
                return json.loads(stored)
            result = await func(*args, **kwargs)
            payload = json.dumps(result)
            await redis.set(key, payload, ex=ttl_s)
            local[key] = payload
            return result

        return wrapper

    return decorate
