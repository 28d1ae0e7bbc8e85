# expect: fail serves twenty requests at once
# A per-user asyncio.Lock guards the threaded load "to avoid loading one user twice", so concurrent requests for the same user_id are still served one after another.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: find the call that blocks the event loop, and fix it."""

import asyncio
import time
from collections import defaultdict

from fastapi import FastAPI

app = FastAPI(title="reports")

# One lock per user, so the legacy service never loads the same profile twice at once.
_user_locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)


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
    async with _user_locks[user_id]:
        profile = await asyncio.to_thread(load_profile, user_id)
        orders = await load_orders(user_id)
    return {"profile": profile, "orders": orders}
