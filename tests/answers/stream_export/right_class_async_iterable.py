# expect: pass
# Style: a class-based async iterable passed to StreamingResponse, opening the source only when iteration starts.
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


class JSONArrayOfUsers:
    """Async iterable of the chunks of one JSON array: ``[``, the public users comma-separated, ``]``."""

    OPEN, COMMA, CLOSE = b"[", b",", b"]"

    def __init__(self, source: Callable[[], AsyncIterator[Row]]) -> None:
        self._source = source

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self.OPEN
        count = 0
        async for row in self._source():
            chunk = PublicUser.model_validate(row).model_dump_json().encode("utf-8")
            yield chunk if count == 0 else self.COMMA + chunk
            count += 1
        yield self.CLOSE


def create_app(source: Callable[[], AsyncIterator[Row]]) -> FastAPI:
    """Return an app whose ``GET /export`` streams the rows of ``source()`` as one JSON array."""
    app = FastAPI()

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(JSONArrayOfUsers(source), media_type="application/json")

    return app
