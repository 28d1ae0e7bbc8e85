# expect: fail never exceeds the limit
"""A semaphore of 5 instead of `limit`: right only when the caller happens to pass limit=5."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    semaphore = asyncio.Semaphore(5)

    async def fetch(url: str) -> dict:
        async with semaphore:
            response = await client.get(url)
        response.raise_for_status()
        return response.json()

    return await asyncio.gather(*(fetch(url) for url in urls))
