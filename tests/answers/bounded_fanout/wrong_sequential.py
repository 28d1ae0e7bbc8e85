# expect: fail uses the whole limit
"""One request at a time: never over the limit, in order, but as slow as it gets."""

import httpx


async def fetch_all(client: httpx.AsyncClient, urls: list[str], limit: int) -> list[dict]:
    bodies = []
    for url in urls:
        response = await client.get(url)
        response.raise_for_status()
        bodies.append(response.json())
    return bodies
