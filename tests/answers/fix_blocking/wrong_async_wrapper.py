# expect: fail serves twenty requests at once
# The blocking load is wrapped in an `async def`, which still runs time.sleep on the event loop.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: the profile load now goes through an async wrapper."""

import asyncio
import time

from fastapi import FastAPI

app = FastAPI(title="reports")


def load_profile(user_id: int) -> dict:
    """Load a profile with a legacy, synchronous client (it blocks while it waits)."""
    time.sleep(0.05)
    return {"id": user_id, "name": f"user {user_id}"}


async def load_profile_async(user_id: int) -> dict:
    """Async version of load_profile, so the route can await it."""
    return load_profile(user_id)


async def load_orders(user_id: int) -> list[int]:
    """Load the user's orders with an async client."""
    await asyncio.sleep(0.05)
    return [user_id * 10, user_id * 10 + 1]


@app.get("/report/{user_id}")
async def report(user_id: int) -> dict:
    profile, orders = await asyncio.gather(load_profile_async(user_id), load_orders(user_id))
    return {"profile": profile, "orders": orders}
