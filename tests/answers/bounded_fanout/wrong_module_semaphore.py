# expect: fail never exceeds the limit
# The semaphore is created once at module level on the first call and reused, so later calls keep the first call's limit (and its event loop).
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx

_semaphore: asyncio.Semaphore | None = None


def _get_semaphore(limit: int) -> asyncio.Semaphore:
    global _semaphore
    if _semaphore is None:
        _semaphore = asyncio.Semaphore(limit)
    return _semaphore


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""
    semaphore = _get_semaphore(limit)

    async def fetch(url: str) -> dict:
        async with semaphore:
            response = await client.get(url)
        response.raise_for_status()
        return response.json()

    return await asyncio.gather(*(fetch(url) for url in urls))
