# expect: fail raises when the upstream fails
# raise_for_status() is never called, so a 404 or 500 answer's error body is returned as if it were data.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""
    semaphore = asyncio.Semaphore(limit)

    async def fetch(url: str) -> dict:
        async with semaphore:
            response = await client.get(url)
        return response.json()

    return await asyncio.gather(*(fetch(url) for url in urls))
