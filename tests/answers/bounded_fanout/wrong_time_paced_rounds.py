# expect: fail a slow request holds only its own slot
# Requests are paced by time (the i-th waits (i // limit) * 0.1 s before starting), which matches limit only when every answer takes 100 ms; slower answers pile up beyond `limit`, faster ones leave slots idle.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx

ROUND_S = 0.1  # how long one round of requests takes against the fake API


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""

    async def fetch(index: int, url: str) -> dict:
        # Start `limit` requests per round, one round after another.
        await asyncio.sleep((index // limit) * ROUND_S)
        response = await client.get(url)
        response.raise_for_status()
        return response.json()

    return await asyncio.gather(*(fetch(index, url) for index, url in enumerate(urls)))
