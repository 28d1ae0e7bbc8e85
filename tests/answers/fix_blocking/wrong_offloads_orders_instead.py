# expect: fail serves twenty requests at once
# The wrong call is moved off the loop: load_orders is run in a worker thread while load_profile, the one that calls time.sleep, still blocks the event loop.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: find the call that blocks the event loop, and fix it."""

import asyncio
import time

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

app = FastAPI(title="reports")


def load_profile(user_id: int) -> dict:
    """Load a profile with a legacy, synchronous client (it blocks while it waits)."""
    time.sleep(0.05)
    return {"id": user_id, "name": f"user {user_id}"}


async def load_orders(user_id: int) -> list[int]:
    """Load the user's orders with an async client."""
    await asyncio.sleep(0.05)
    return [user_id * 10, user_id * 10 + 1]


def _load_orders_sync(user_id: int) -> list[int]:
    """Run the orders client on its own loop inside a worker thread."""
    return asyncio.run(load_orders(user_id))


@app.get("/report/{user_id}")
async def report(user_id: int) -> dict:
    profile = load_profile(user_id)
    orders = await run_in_threadpool(_load_orders_sync, user_id)
    return {"profile": profile, "orders": orders}
