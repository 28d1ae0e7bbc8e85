"""Exercise cache: a Redis caching decorator for async functions.

The whole task, in your language: `task("cache")` in the notebook, or `perflab task cache`
in a terminal. `perflab check cache` checks this file.
"""

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

import redis.asyncio as aioredis

AsyncFunction = Callable[..., Awaitable[Any]]


def make_key(func: AsyncFunction, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    """Return the cache key for one call of ``func``: the same in every process.

    Args:
        func: The decorated function.
        args: Its positional arguments.
        kwargs: Its keyword arguments.
    """
    # TODO: hash() differs from process to process, __name__ is not unique, and kwargs are
    # left out. Name the function by module and qualified name, and encode every argument.
    return f"cache:{func.__name__}:{hash(args)}"


def cached(redis: aioredis.Redis, ttl_s: int) -> Callable[[AsyncFunction], AsyncFunction]:
    """Return a decorator that caches an async function's JSON results in Redis for ``ttl_s``.

    Args:
        redis: An async Redis client.
        ttl_s: How long an entry lives, in seconds.
    """

    def decorate(func: AsyncFunction) -> AsyncFunction:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(func, args, kwargs)
            # TODO: look the key up first; on a hit, return the stored value without calling func.
            result = await func(*args, **kwargs)
            # TODO: store the result as JSON under the key, expiring after ttl_s seconds.
            return result

        return wrapper

    return decorate
