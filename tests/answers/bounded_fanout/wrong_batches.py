# expect: fail a slow request holds only its own slot
# URLs are fetched in fixed batches of `limit`, so each batch waits for its slowest request instead of starting the next request as soon as a slot frees up.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""

    async def fetch(url: str) -> dict:
        response = await client.get(url)
        response.raise_for_status()
        return response.json()

    bodies: list[dict] = []
    for start in range(0, len(urls), limit):
        batch = urls[start:start + limit]
        bodies.extend(await asyncio.gather(*(fetch(url) for url in batch)))
    return bodies
