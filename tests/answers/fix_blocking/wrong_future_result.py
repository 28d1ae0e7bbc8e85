# expect: fail serves twenty requests at once
# The profile load is submitted to a thread pool, but `.result()` is called at once and blocks the event loop until the thread finishes.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: run the legacy call in a thread pool."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI

app = FastAPI(title="reports")
executor = ThreadPoolExecutor(max_workers=20)


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
    profile = executor.submit(load_profile, user_id).result()  # runs on a worker thread
    orders = await load_orders(user_id)
    return {"profile": profile, "orders": orders}
