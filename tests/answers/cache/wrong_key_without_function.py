# expect: fail the key names the function
# The key is a SHA-256 of the arguments only, with no function name in it, so two different cached functions called with the same arguments return each other's results.
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
    # sha256 is stable across processes, unlike hash(), and keeps the key short.
    payload = json.dumps({"args": list(args), "kwargs": kwargs}, sort_keys=True)
    return "cache:" + hashlib.sha256(payload.encode("utf-8")).hexdigest()


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
