# expect: fail errors are not cached
# Failures are cached too (an error marker is stored with the TTL and re-raised on later hits), so after one exception the function is not called again until the entry expires.
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

ERROR_MARKER = "__cached_error__"


class CachedError(RuntimeError):
    """Raised on a hit for a call that failed earlier."""


def cached(redis: aioredis.Redis, ttl_s: int) -> Callable[[AsyncFunction], AsyncFunction]:
    """Return a decorator that caches an async function's JSON results in Redis for ``ttl_s``."""

    def decorate(func: AsyncFunction) -> AsyncFunction:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(func, args, kwargs)
            stored = await redis.get(key)
            if stored is not None:
                value = json.loads(stored)
                if isinstance(value, dict) and ERROR_MARKER in value:
                    raise CachedError(value[ERROR_MARKER])
                return value
            try:
                result = await func(*args, **kwargs)
            except Exception as error:
                # Negative caching: do not hammer a failing backend on every call.
                await redis.set(key, json.dumps({ERROR_MARKER: repr(error)}), ex=ttl_s)
                raise
            await redis.set(key, json.dumps(result), ex=ttl_s)
            return result

        return wrapper

    return decorate
