"""Exercise bounded_fanout: fetch many URLs concurrently, but never more than ``limit`` at once.

``fetch_all(client, urls, limit)`` requests every URL in ``urls`` with ``client.get`` and
returns their JSON bodies as a list, in the same order as ``urls``, whatever order the answers
arrive in. The requests run concurrently, but never more than ``limit`` of them are in flight
at once: a request starts only when one of the ``limit`` slots is free, and the next one starts
as soon as a slot frees up, so 30 URLs with ``limit=5`` take about six rounds, not thirty.

A failed request must fail the whole call: call ``response.raise_for_status()`` and let the
exception propagate out of ``fetch_all``. Never return a list with part of the data.

Try it with ``perflab.fake_api``: ``api = fake_api("items", latency_ms=100)`` and
``urls = [f"{api.url}/items/{i}" for i in range(20)]``, then, in a cell,
``async with httpx.AsyncClient() as client: bodies = await fetch_all(client, urls, 5)``.
``api.stats.peak_in_flight`` tells how many requests it saw at once.
"""

import asyncio

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
    # One semaphore for the whole call, created before any request: all requests share its
    # `limit` slots. (One per request would give each request a slot of its own: no limit at all.)
    semaphore = asyncio.Semaphore(limit)

    async def fetch(url: str) -> dict:
        # Wait for a free slot, and give it back as soon as the answer is in.
        async with semaphore:
            response = await client.get(url)
        # An error status raises here, and gather hands the exception on to our caller.
        response.raise_for_status()
        return response.json()

    # gather starts every coroutine now, but only `limit` hold a slot at a time; the next one
    # starts the moment a slot frees up. Its results come back in the order of `urls`, whatever
    # order the answers arrive in. (gather lets the other requests finish in the background after
    # a failure; an asyncio.TaskGroup would cancel them.)
    return await asyncio.gather(*(fetch(url) for url in urls))
