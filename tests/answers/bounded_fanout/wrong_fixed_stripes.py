# expect: fail a slow request holds only its own slot
# Each of the `limit` workers gets a fixed stripe of the URLs (urls[i::limit]), so a worker with a slow URL holds up its whole stripe while other slots sit idle, instead of the next URL starting as soon as any slot frees up.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""
    bodies: list[dict] = [{} for _ in urls]

    async def worker(start: int) -> None:
        # Worker `start` handles URLs start, start + limit, start + 2 * limit, ...
        for index in range(start, len(urls), limit):
            response = await client.get(urls[index])
            response.raise_for_status()
            bodies[index] = response.json()

    await asyncio.gather(*(worker(start) for start in range(min(limit, len(urls)))))
    return bodies
