# expect: fail values are stored as JSON
"""pickle: faithful, but unreadable outside Python, and loading it from a shared Redis can run code."""

import functools
import pickle
import json
from typing import Any

import redis.asyncio as aioredis


def make_key(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    arguments = json.dumps([args, kwargs], sort_keys=True)
    return f"cache:{func.__module__}.{func.__qualname__}:{arguments}"


def cached(redis: aioredis.Redis, ttl_s: int) -> Any:
    def decorate(func: Any) -> Any:
        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            key = make_key(func, args, kwargs)
            stored = await redis.get(key)
            if stored is not None:
                return pickle.loads(stored)
            result = await func(*args, **kwargs)
            await redis.set(key, pickle.dumps(result), ex=ttl_s)
            return result

        return wrapper

    return decorate
