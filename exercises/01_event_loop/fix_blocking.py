"""Exercise fix_blocking: find the call that blocks the event loop, and fix it.

GET /report/{user_id} loads a user's profile and orders and returns both. Each of the two
loads waits 50 ms, standing for real I/O. One of them blocks the event loop, so under load
the requests queue up behind it: twenty requests at once take about ten times as long as
one (their twenty blocking waits, 20 x 50 ms, run one after another).

Fix the app so that twenty concurrent requests take about as long as one. Rules:
- keep the path and the JSON answer exactly as they are;
- keep the waits: they stand for work a real service must do, so do not delete them;
- the app must still be called ``app``.
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
