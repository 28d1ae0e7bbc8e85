# expect: fail a hit returns exactly what the miss returned
"""Stores str(result) and returns the stored text: a miss gives a dict, a hit a string."""

import functools
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
                return stored
            result = await func(*args, **kwargs)
            await redis.set(key, str(result), ex=ttl_s)
            return result

        return wrapper

    return decorate
