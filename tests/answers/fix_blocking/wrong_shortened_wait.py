# expect: fail still does the slow work
# The 50 ms wait of the legacy load is cut down to 1 ms instead of being moved off the event loop.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: make the blocking part too short to matter."""

import asyncio
import time

from fastapi import FastAPI

app = FastAPI(title="reports")


def load_profile(user_id: int) -> dict:
    """Load a profile with a legacy, synchronous client (it blocks while it waits)."""
    time.sleep(0.001)
    return {"id": user_id, "name": f"user {user_id}"}


async def load_orders(user_id: int) -> list[int]:
    """Load the user's orders with an async client."""
    await asyncio.sleep(0.05)
    return [user_id * 10, user_id * 10 + 1]


@app.get("/report/{user_id}")
async def report(user_id: int) -> dict:
    profile = load_profile(user_id)
    orders = await load_orders(user_id)
    return {"profile": profile, "orders": orders}
