# expect: pass
"""asyncio.TaskGroup with one shared semaphore: after a failure, the other requests are cancelled."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    semaphore = asyncio.Semaphore(limit)

    async def fetch(url: str) -> dict:
        async with semaphore:
            response = await client.get(url)
            response.raise_for_status()
            return response.json()

    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(fetch(url)) for url in urls]
    except* httpx.HTTPStatusError as failures:
        raise failures.exceptions[0] from None  # a TaskGroup wraps errors in a group
    return [task.result() for task in tasks]
