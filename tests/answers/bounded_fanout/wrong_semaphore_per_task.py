# expect: fail never exceeds the limit
"""Creates the semaphore inside each task: every request has a semaphore of its own, so nothing waits."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    async def fetch(url: str) -> dict:
        semaphore = asyncio.Semaphore(limit)
        async with semaphore:
            response = await client.get(url)
        response.raise_for_status()
        return response.json()

    return await asyncio.gather(*(fetch(url) for url in urls))
