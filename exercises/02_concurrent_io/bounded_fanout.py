"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once.

The whole task, in your language: `task("bounded_fanout")` in the notebook, or `perflab task bounded_fanout`
in a terminal. `perflab check bounded_fanout` checks this file.
"""

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    """Fetch every URL, at most ``limit`` at once, and return the JSON bodies in the order of ``urls``.

    Args:
        client: The HTTP client to send every request with.
        urls: The URLs to fetch, each once.
        limit: The most requests in flight at the same time.

    Raises:
        httpx.HTTPStatusError: When a URL answers with an error status (from ``raise_for_status``).
    """
    bodies = []
    for url in urls:
        # TODO: this waits for each answer before it sends the next request. Keep up to `limit`
        # requests in flight at once, never more, and still return the bodies in the order of `urls`.
        response = await client.get(url)
        response.raise_for_status()
        bodies.append(response.json())
    return bodies
