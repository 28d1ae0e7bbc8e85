# expect: pass
# Style: asyncio.TaskGroup running asyncio.to_thread and the async load side by side.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: both loads at once, the legacy one on a worker thread."""

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
    async with asyncio.TaskGroup() as group:
        profile_task = group.create_task(asyncio.to_thread(load_profile, user_id))
        orders_task = group.create_task(load_orders(user_id))
    return {"profile": profile_task.result(), "orders": orders_task.result()}
