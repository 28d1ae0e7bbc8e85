# expect: fail entries expire after ttl_s seconds
"""Stores without an expiry: stale entries live for ever."""

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
                return json.loads(stored)
            result = await func(*args, **kwargs)
            await redis.set(key, json.dumps(result))
            return result

        return wrapper

    return decorate
