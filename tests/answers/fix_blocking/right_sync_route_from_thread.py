# expect: pass
# Style: a plain `def` route (FastAPI runs it in its threadpool) that calls the async load back on the loop with anyio.from_thread.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: let FastAPI put the whole route on a worker thread."""

import asyncio
import time

from anyio import from_thread
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
def report(user_id: int) -> dict:
    # A sync route runs in the threadpool, so the blocking load only holds this worker thread.
    profile = load_profile(user_id)
    orders = from_thread.run(load_orders, user_id)
    return {"profile": profile, "orders": orders}
