# expect: fail raises when the upstream fails
# Slots are acquired in the launching loop but released only after a successful request, so once `limit` requests have failed the loop waits forever for a slot instead of raising.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""
    semaphore = asyncio.Semaphore(limit)

    async def fetch(url: str) -> dict:
        response = await client.get(url)
        response.raise_for_status()
        semaphore.release()
        return response.json()

    tasks = []
    for url in urls:
        await semaphore.acquire()  # wait for a free slot before starting the next request
        tasks.append(asyncio.create_task(fetch(url)))
    return list(await asyncio.gather(*tasks))
