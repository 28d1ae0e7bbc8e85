# expect: fail returns every body in order
"""Bounded and fast, but collects the bodies as they arrive: the order of `urls` is lost."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    semaphore = asyncio.Semaphore(limit)
    bodies = []

    async def fetch(url: str) -> None:
        async with semaphore:
            response = await client.get(url)
        response.raise_for_status()
        bodies.append(response.json())

    await asyncio.gather(*(fetch(url) for url in urls))
    return bodies
