# expect: fail serves twenty requests at once
# The orders load is started as a task so the two loads overlap (one request gets faster), but load_profile still runs time.sleep on the event loop and blocks every other request.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: find the call that blocks the event loop, and fix it."""

import asyncio
import time

from fastapi import FastAPI

app = FastAPI(title="reports")


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
    # Start the orders first, so they load while the profile loads.
    orders_task = asyncio.create_task(load_orders(user_id))
    profile = load_profile(user_id)
    orders = await orders_task
    return {"profile": profile, "orders": orders}
