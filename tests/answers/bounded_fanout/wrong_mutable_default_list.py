# expect: fail returns every body in order
# The result list is a mutable default argument, so every call after the first returns the bodies of all earlier calls followed by its own.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int, bodies: list[dict] = []) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""
    semaphore = asyncio.Semaphore(limit)

    async def fetch(url: str) -> dict:
        async with semaphore:
            response = await client.get(url)
            response.raise_for_status()
            return response.json()

    bodies.extend(await asyncio.gather(*(fetch(url) for url in urls)))
    return bodies
