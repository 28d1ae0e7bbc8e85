# expect: fail raises when the upstream fails
# Queue workers never call task_done() when a request fails, so the worker dies, queue.join() waits forever, and a failed request hangs the call instead of raising.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once."""

import asyncio

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``."""
    queue: asyncio.Queue[tuple[int, str]] = asyncio.Queue()
    for item in enumerate(urls):
        queue.put_nowait(item)
    bodies: list[dict] = [{} for _ in urls]

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
    for task in workers:
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise task.exception()
    return bodies
