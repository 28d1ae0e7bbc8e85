"""Exercise stream_export: stream a large export as one JSON array, with the public fields only.

The whole task, in your language: `task("stream_export")` in the notebook, or `perflab task stream_export`
in a terminal. `perflab check stream_export` checks this file.
"""

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

Row = dict[str, Any]


class PublicUser(BaseModel):
    """The fields of a user that an export may show."""

    id: int
    name: str
    email: str
    created_at: datetime


async def demo_users(count: int = 20) -> AsyncIterator[Row]:
    """Yield ``count`` made-up user rows, five at a time, like a database cursor.

    Args:
        count: How many rows. Defaults to 20.
    """
    start = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
    for i in range(count):
        if i % 5 == 0:
            await asyncio.sleep(0.2)  # the next batch comes from the database
        yield {"id": i, "name": f"User {i}", "email": f"user{i}@example.com",
               "password_hash": f"$argon2id$v=19$m=65536,t=3,p=4${i:032x}", "created_at": start + timedelta(days=i)}


def create_app(source: Callable[[], AsyncIterator[Row]]) -> FastAPI:
    """Return an app whose ``GET /export`` streams the rows of ``source()`` as one JSON array.

    Args:
        source: Called once per request; gives the user rows one by one, like a database cursor.
    """
    app = FastAPI()

    @app.get("/export")
    async def export() -> list[Row]:
        # TODO: this collects every row in a list before it sends anything, and sends every
        # field, password_hash too. Stream the rows instead, as one JSON array of PublicUser.
        return [row async for row in source()]

    return app
