"""Exercise fix_blocking: find the call that blocks the event loop, and fix it.

The whole task, in your language: `task("fix_blocking")` in the notebook, or `perflab task fix_blocking`
in a terminal. `perflab check fix_blocking` checks this file.
"""

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
    # TODO: one of these two calls blocks the event loop. Find it, and keep it off the loop.
    profile = load_profile(user_id)
    orders = await load_orders(user_id)
    return {"profile": profile, "orders": orders}
