# expect: fail serves twenty requests at once
# An `await asyncio.sleep(0)` is added before the blocking call to "give the loop a turn", but time.sleep still runs on the event loop and blocks it for 50 ms.
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
    # Yield to the event loop first so other requests can run while we load the profile.
    await asyncio.sleep(0)
    profile = load_profile(user_id)
    orders = await load_orders(user_id)
    return {"profile": profile, "orders": orders}
