# expect: fail raises when the upstream fails
"""return_exceptions=True: a failed request becomes an exception object in the list, and nobody raises it."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    semaphore = asyncio.Semaphore(limit)

    async def fetch(url: str) -> dict:
        async with semaphore:
            response = await client.get(url)
        response.raise_for_status()
        return response.json()

    return await asyncio.gather(*(fetch(url) for url in urls), return_exceptions=True)
