# expect: fail the key names the function
# The first Redis client passed to cached() is kept in a module-level global and used by every later decorator, so a decorator made with another client (another database, or a new event loop) reads and writes the first one.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise cache: a Redis caching decorator for async functions."""

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis

AsyncFunction = Callable[..., Awaitable[Any]]

# One shared connection pool for every cached function.
_redis: aioredis.Redis | None = None


def make_key(func: AsyncFunction, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Return the cache key for one call of ``func``: the same in every process."""
    encoded = json.dumps([list(args), kwargs], sort_keys=True)
    return f"cache:{func.__module__}.{func.__qualname__}:{encoded}"


def cached(redis: aioredis.Redis, ttl_s: int) -> Callable[[AsyncFunction], AsyncFunction]:
    """Return a decorator that caches an async function's JSON results in Redis for ``ttl_s``."""
    global _redis
    if _redis is None:
        _redis = redis

    def decorate(func: AsyncFunction) -> AsyncFunction:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(func, args, kwargs)
            stored = await _redis.get(key)
            if stored is not None:
                return json.loads(stored)
            result = await func(*args, **kwargs)
            await _redis.set(key, json.dumps(result), ex=ttl_s)
            return result

        return wrapper

    return decorate
