# expect: fail never exceeds the limit
# A hand-made in-flight counter waits only while it is greater than `limit`, so up to limit + 1 requests are in flight at once.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""
    in_flight = 0
    slot_freed = asyncio.Condition()

    async def fetch(url: str) -> dict:
        nonlocal in_flight
        async with slot_freed:
            await slot_freed.wait_for(lambda: not in_flight > limit)
            in_flight += 1
        try:
            response = await client.get(url)
        finally:
            async with slot_freed:
                in_flight -= 1
                slot_freed.notify()
        response.raise_for_status()
        return response.json()

    return await asyncio.gather(*(fetch(url) for url in urls))
