# expect: fail still does the slow work
# The blocking call is memoized with lru_cache instead of moved off the loop, so every first request per user still blocks the loop.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: avoid repeating the slow profile load."""

import asyncio
import functools
import time

from fastapi import FastAPI

app = FastAPI(title="reports")


@functools.lru_cache(maxsize=1024)
def load_profile(user_id: int) -> dict:
    """Load a profile with a legacy, synchronous client (it blocks while it waits)."""
    time.sleep(0.05)
    return {"id": user_id, "name": f"user {user_id}"}


async def load_orders(user_id: int) -> list[int]:
    """Load the user's orders with an async client."""
    await asyncio.sleep(0.05)
    return [user_id * 10, user_id * 10 + 1]


@app.get("/report/{user_id}")
async def report(user_id: int) -> dict:
    profile = load_profile(user_id)  # cached after the first call, so it is instant
    orders = await load_orders(user_id)
    return {"profile": profile, "orders": orders}
