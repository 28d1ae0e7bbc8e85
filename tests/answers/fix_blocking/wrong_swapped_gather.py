# expect: fail answers with the same JSON as before
# Both loads run concurrently, but the gather results are unpacked in the wrong order, so profile and orders are swapped in the answer.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: run both loads at once, the sync one on a thread."""

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
    orders, profile = await asyncio.gather(
        asyncio.to_thread(load_profile, user_id),
        load_orders(user_id),
    )
    return {"profile": profile, "orders": orders}
