# expect: pass
# Style: a fixed pool of `limit` worker tasks pulling (index, url) pairs from an asyncio.Queue inside a TaskGroup.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``.

    Raises:
        httpx.HTTPStatusError: When a URL answers with an error status (from ``raise_for_status``).
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    bodies: list[dict | None] = [None] * len(urls)
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for position, url in enumerate(urls):
        queue.put_nowait((position, url))

    async def worker() -> None:
        while True:
            try:
                position, url = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            response = await client.get(url)
            response.raise_for_status()
            bodies[position] = response.json()

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(min(limit, len(urls))):
                group.create_task(worker())
    except ExceptionGroup as failures:
        raise failures.exceptions[0] from None
    return bodies  # type: ignore[return-value]
