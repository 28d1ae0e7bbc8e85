# expect: fail raises when the upstream fails
"""A worker pool that waits on queue.join(): a worker that dies never marks its URL done, so the wait never ends."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for item in enumerate(urls):
        queue.put_nowait(item)
    bodies: list[dict] = [{}] * len(urls)

    async def worker() -> None:
        while True:
            index, url = await queue.get()
            response = await client.get(url)
            response.raise_for_status()
            bodies[index] = response.json()
            queue.task_done()

    workers = [asyncio.create_task(worker()) for _ in range(limit)]
    await queue.join()
    for task in workers:
        task.cancel()
    return bodies
