# expect: fail a hit reads with GET and changes nothing
# The hit test uses EXISTS and then a second GET, so an entry that expires (or is evicted) between the two commands makes json.loads(None) raise TypeError instead of counting as a miss.
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


def cached(redis: aioredis.Redis, ttl_s: int) -> Callable[[AsyncFunction], AsyncFunction]:
    """Return a decorator that caches an async function's JSON results in Redis for ``ttl_s``."""

    def decorate(func: AsyncFunction) -> AsyncFunction:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(func, args, kwargs)
            if await redis.exists(key):
                return json.loads(await redis.get(key))
            result = await func(*args, **kwargs)
            await redis.set(key, json.dumps(result), ex=ttl_s)
            return result

        return wrapper

    return decorate
