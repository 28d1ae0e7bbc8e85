# expect: fail serves twenty requests at once
# The blocking load is sent to a ProcessPoolExecutor sized to the CPU count, so on a machine with few cores twenty concurrent waits still queue in a handful of processes (and each call pays for pickling).
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: find the call that blocks the event loop, and fix it."""

import asyncio
import os
import time
from concurrent.futures import ProcessPoolExecutor

from fastapi import FastAPI

app = FastAPI(title="reports")

# Real parallelism: one worker process per core.
_pool = ProcessPoolExecutor(max_workers=os.cpu_count() or 1)


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
    loop = asyncio.get_running_loop()
    profile = await loop.run_in_executor(_pool, load_profile, user_id)
    orders = await load_orders(user_id)
    return {"profile": profile, "orders": orders}
