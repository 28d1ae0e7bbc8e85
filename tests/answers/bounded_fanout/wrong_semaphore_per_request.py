# expect: fail never exceeds the limit
# A new Semaphore is created inside each request, so every request gets its own slot and nothing limits how many run at once.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""

    async def fetch(url: str) -> dict:
        semaphore = asyncio.Semaphore(limit)
        async with semaphore:
            response = await client.get(url)
        response.raise_for_status()
        return response.json()

    return await asyncio.gather(*(fetch(url) for url in urls))
