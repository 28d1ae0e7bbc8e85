# expect: pass
"""Binds the arguments to the signature first, so f(1, b=2) and f(1, 2) share one entry."""

import functools
import inspect
import json
from typing import Any

import redis.asyncio as aioredis


def cached(redis: aioredis.Redis, ttl_s: int) -> Any:
    def decorate(func: Any) -> Any:
        signature = inspect.signature(func)
        prefix = f"cache:{func.__module__}.{func.__qualname__}:"

        @functools.wraps(func)
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            key = prefix + json.dumps(bound.arguments, sort_keys=True)
            async with redis.pipeline(transaction=False) as pipe:
                stored, _ttl = await pipe.get(key).ttl(key).execute()
            if stored is not None:
                return json.loads(stored)
            result = await func(*args, **kwargs)
            await redis.set(key, json.dumps(result), ex=ttl_s)
            return result

        return wrapper

    return decorate
