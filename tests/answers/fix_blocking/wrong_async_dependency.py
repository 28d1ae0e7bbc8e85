# expect: fail serves twenty requests at once
# The blocking load is moved into an `async def` dependency, in the belief that FastAPI runs dependencies in its threadpool, but async dependencies run on the event loop, so time.sleep still blocks it.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise fix_blocking: find the call that blocks the event loop, and fix it."""

import asyncio
import time

from fastapi import Depends, FastAPI

app = FastAPI(title="reports")


def load_profile(user_id: int) -> dict:
    """Load a profile with a legacy, synchronous client (it blocks while it waits)."""
    time.sleep(0.05)
    return {"id": user_id, "name": f"user {user_id}"}


async def load_orders(user_id: int) -> list[int]:
    """Load the user's orders with an async client."""
    await asyncio.sleep(0.05)
    return [user_id * 10, user_id * 10 + 1]


async def profile_dependency(user_id: int) -> dict:
    """Load the profile as a dependency: FastAPI resolves dependencies for us."""
    return load_profile(user_id)


@app.get("/report/{user_id}")
async def report(user_id: int, profile: dict = Depends(profile_dependency)) -> dict:
    orders = await load_orders(user_id)
    return {"profile": profile, "orders": orders}
