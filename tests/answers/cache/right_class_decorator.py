# expect: pass
# Style: `cached` is a class whose instances are the decorator, with a SHA-256 digest of canonical JSON in the key.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise cache: a Redis caching decorator for async functions."""

import functools
import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis

AsyncFunction = Callable[..., Awaitable[Any]]


def make_key(func: AsyncFunction, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Return the cache key for one call of ``func``: the same in every process."""
    canonical = json.dumps({"args": list(args), "kwargs": kwargs}, sort_keys=True, separators=(",", ":"),
                           ensure_ascii=False)
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"cache:{func.__module__}:{func.__qualname__}:{digest}"


class cached:  # noqa: N801 - used as a decorator factory, like functools.lru_cache
    """Decorator factory: ``@cached(redis, ttl_s)`` caches an async function's JSON results in Redis."""

    def __init__(self, redis: aioredis.Redis, ttl_s: int) -> None:
        self.redis = redis
        self.ttl_s = ttl_s

    def __call__(self, func: AsyncFunction) -> AsyncFunction:
        redis, ttl_s = self.redis, self.ttl_s

        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(func, args, kwargs)
            hit = await redis.get(key)
            if hit is not None:
                return json.loads(hit)
            result = await func(*args, **kwargs)
            await redis.set(key, json.dumps(result), ex=ttl_s)
            return result

        return wrapper
