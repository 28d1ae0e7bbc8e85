# expect: pass
"""A fixed pool of `limit` workers pulling (index, url) pairs from a queue: no semaphore needed."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for item in enumerate(urls):
        queue.put_nowait(item)
    bodies: list[dict] = [{}] * len(urls)

    async def worker() -> None:
        # Each worker has at most one request in flight; it stops when the queue is empty.
        while not queue.empty():
            index, url = queue.get_nowait()
            response = await client.get(url)
            response.raise_for_status()
            bodies[index] = response.json()  # by index: the order of `urls`, not of arrival

    workers = [asyncio.create_task(worker()) for _ in range(min(limit, len(urls)))]
    try:
        await asyncio.gather(*workers)  # raises the first worker's exception
    finally:
        for task in workers:
            task.cancel()  # after a failure, stop the others too; finished tasks ignore this
    return bodies
