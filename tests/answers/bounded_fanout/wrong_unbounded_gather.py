# expect: fail never exceeds the limit
"""Starts every request at once: fast, and ordered, but `limit` is ignored."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    async def fetch(url: str) -> dict:
        response = await client.get(url)
        response.raise_for_status()
        return response.json()

    return await asyncio.gather(*(fetch(url) for url in urls))
