"""Exercise cache: a Redis caching decorator for async functions.

``cached(redis, ttl_s)`` returns a decorator for ``async def`` functions. The decorated
function is async too, returns what the function returns, and:

- **Hit or miss.** Each call first looks up its key with ``GET``. On a hit it returns the
  stored value *without* calling the function. On a miss it awaits the function, stores
  ``json.dumps(result)`` under the key with ``SET`` and ``ex=ttl_s``, and returns the result.
- **The key** starts with ``"cache:"``, names the function (its ``__module__`` and
  ``__qualname__``) and encodes every argument, positional and keyword. It is the same in
  every process, so a restarted worker or a second worker finds the entry: never use
  ``hash()``, which differs from process to process. Two calls with different arguments
  never share a key: ``f(1, 2)`` and ``f(12)``, ``f(1)`` and ``f("1")``, ``f(1, page=2)`` and
  ``f(1, size=2)`` are all different. (The same call written two ways, ``f(1, b=2)`` and
  ``f(1, 2)``, may use two entries: that costs a miss, never a wrong answer.)
- **JSON only.** Arguments and results are JSON values (dict, list, str, int, float, bool,
  None). A hit returns exactly what the miss returned, types included. A result that JSON
  cannot represent exactly, such as a datetime or a Decimal, must not come back as a string:
  let ``json.dumps`` raise ``TypeError`` (so no ``default=str``).
- **Errors are not cached.** If the function raises, the exception reaches the caller,
  nothing is stored, and the next call calls the function again.

``redis`` is a ``redis.asyncio.Redis`` client: await every call on it. The check passes one
made with ``decode_responses=True``; ``perflab.redis_client()`` gives you one to try with.
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
