# expect: fail never exceeds the limit
# The semaphore is created with the 5 from the docstring example instead of `limit`, so any other limit is ignored.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx

MAX_IN_FLIGHT = 5


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""
    semaphore = asyncio.Semaphore(MAX_IN_FLIGHT)

    async def fetch(url: str) -> dict:
        async with semaphore:
            response = await client.get(url)
        response.raise_for_status()
        return response.json()

    return await asyncio.gather(*(fetch(url) for url in urls))
