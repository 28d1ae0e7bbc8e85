# expect: pass
# Style: anyio.CapacityLimiter and an anyio task group writing into a pre-sized list, with the first error re-raised bare.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import anyio
import httpx

_MISSING = object()


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``.

    Raises:
        httpx.HTTPStatusError: When a URL answers with an error status (from ``raise_for_status``).
    """
    limiter = anyio.CapacityLimiter(limit)
    slots = [_MISSING] * len(urls)

    async def fetch_into(position: int, url: str) -> None:
        async with limiter:
            response = await client.get(url)
        response.raise_for_status()
        slots[position] = response.json()

    try:
        async with anyio.create_task_group() as group:
            for position, url in enumerate(urls):
                group.start_soon(fetch_into, position, url)
    except BaseExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return slots
