# expect: fail returns every body in order
# Bodies are collected with as_completed, so they come back in the order the answers arrive rather than the order of `urls`.
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
        response.raise_for_status()
        return response.json()

    bodies = []
    for next_done in asyncio.as_completed([fetch(url) for url in urls]):
        bodies.append(await next_done)
    return bodies
