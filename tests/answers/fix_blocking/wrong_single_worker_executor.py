# expect: fail serves twenty requests at once
# The blocking call runs in a module-level executor with a single worker, so concurrent requests still queue one behind another.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: one dedicated thread for the legacy client."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI

app = FastAPI(title="reports")

# The legacy client is not thread-safe, so give it its own thread.
legacy_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="legacy-profile")


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
    profile = await loop.run_in_executor(legacy_executor, load_profile, user_id)
    orders = await load_orders(user_id)
    return {"profile": profile, "orders": orders}
