# expect: fail serves twenty requests at once
# The blocking load runs in a worker thread, but under a module-level asyncio.Lock "because the legacy client is not thread-safe", so concurrent requests still wait for each other one by one.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: find the call that blocks the event loop, and fix it."""

import asyncio
import time

from fastapi import FastAPI

app = FastAPI(title="reports")

# The legacy client is not thread-safe: only one thread may use it at a time.
_legacy_client_lock = asyncio.Lock()


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
    async with _legacy_client_lock:
        profile = await asyncio.to_thread(load_profile, user_id)
    orders = await load_orders(user_id)
    return {"profile": profile, "orders": orders}
