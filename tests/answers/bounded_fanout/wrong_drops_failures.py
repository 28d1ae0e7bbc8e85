# expect: fail raises when the upstream fails
# gather runs with return_exceptions=True and failed requests are filtered out, so a failure returns a shorter list instead of raising.
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

    results = await asyncio.gather(*(fetch(url) for url in urls), return_exceptions=True)
    return [result for result in results if not isinstance(result, BaseException)]
