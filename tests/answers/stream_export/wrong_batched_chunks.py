# expect: fail streams while the source is still reading
# Rows are held back until 100 have been read before anything is sent, so a slow source delivers nothing to the client for a long time.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise stream_export: stream a large export as one JSON array, with the public fields only."""

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

Row = dict[str, Any]


class PublicUser(BaseModel):
    """The fields of a user that an export may show."""

    id: int
    name: str
    email: str
    created_at: datetime


async def demo_users(count: int = 20) -> AsyncIterator[Row]:
    """Yield ``count`` made-up user rows, five at a time, like a database cursor."""
    start = datetime(2026, 3, 1, 9, 30, tzinfo=timezone.utc)
    for i in range(count):
        if i % 5 == 0:
            await asyncio.sleep(0.2)  # the next batch comes from the database
        yield {"id": i, "name": f"User {i}", "email": f"user{i}@example.com",
               "password_hash": f"$argon2id$v=19$m=65536,t=3,p=4${i:032x}", "created_at": start + timedelta(days=i)}


def create_app(source: Callable[[], AsyncIterator[Row]]) -> FastAPI:
    """Return an app whose ``GET /export`` streams the rows of ``source()`` as one JSON array."""
    app = FastAPI()

    @app.get("/export")
    async def export() -> StreamingResponse:
        async def rows_as_json() -> AsyncIterator[str]:
            yield "["
            separator = ""
            pending: list[str] = []
            async for row in source():
                pending.append(PublicUser.model_validate(row).model_dump_json())
                if len(pending) == 100:  # fewer, bigger chunks
                    yield separator + ",".join(pending)
                    separator = ","
                    pending.clear()
            if pending:
                yield separator + ",".join(pending)
            yield "]"

        return StreamingResponse(rows_as_json(), media_type="application/json")

    return app
