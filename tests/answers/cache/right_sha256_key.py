# expect: pass
"""A fixed-length key: the sha256 of the canonical JSON of the arguments."""

import functools
import hashlib
import json
from typing import Any

import redis.asyncio as aioredis


def make_key(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> str:
    canonical = json.dumps({"args": args, "kwargs": kwargs}, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"cache:{func.__module__}.{func.__qualname__}:{digest}"


def cached(redis: aioredis.Redis, ttl_s: int) -> Any:
    def decorate(func: Any) -> Any:
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
