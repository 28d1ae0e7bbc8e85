# expect: fail a hit returns exactly what the miss returned
# String results are stored raw (to avoid "double quoting") and hits are parsed with json.loads when they can be, so a result like "123", "true" or "null" comes back as an int, bool or None.
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
    encoded = json.dumps([list(args), kwargs], sort_keys=True)
    return f"cache:{func.__module__}.{func.__qualname__}:{encoded}"


def _encode(result: Any) -> str:
    # Strings are stored as they are; everything else as JSON.
    return result if isinstance(result, str) else json.dumps(result)


def _decode(stored: str) -> Any:
    try:
        return json.loads(stored)
    except json.JSONDecodeError:
        return stored  # a plain string


def cached(redis: aioredis.Redis, ttl_s: int) -> Callable[[AsyncFunction], AsyncFunction]:
    """Return a decorator that caches an async function's JSON results in Redis for ``ttl_s``."""

    def decorate(func: AsyncFunction) -> AsyncFunction:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(func, args, kwargs)
            stored = await redis.get(key)
            if stored is not None:
                return _decode(stored)
            result = await func(*args, **kwargs)
            await redis.set(key, _encode(result), ex=ttl_s)
            return result

        return wrapper

    return decorate
