"""Exercise stream_export: stream a large export as one JSON array, with the public fields only.

``create_app(source)`` returns a FastAPI app whose ``GET /export`` sends every user row that
``source`` gives, as one JSON array, with media type ``application/json``. ``source`` is a
function: each call, ``source()``, returns a new async iterator over the rows, like a database
cursor that fetches them a batch at a time. Call it once per request, and read each row once.

Each row is a dict with ``id`` (int), ``name`` (str), ``email`` (str), ``password_hash`` (str)
and ``created_at`` (a ``datetime`` with a time zone). The array holds one object per row, in
the source's order, with exactly the public fields: ``id``, ``name``, ``email``, and
``created_at`` as an ISO 8601 string such as ``"2026-03-01T09:30:00Z"``. The ``PublicUser``
model below has them. The password hash must never appear in the response.

An export can hold millions of rows, so never collect them in a list: send each row as soon
as the source gives it, and the client gets the first rows while the source is still reading.
Every name must come through unchanged: quotes, backslashes, line breaks, Bangla or Russian
letters. No rows give ``[]``. If the source fails part-way, the response must not end as a
valid JSON array, or the client would take a part of the export for all of it: let the
exception through.

Why one array, when FastAPI streams JSON Lines (one object per line, ``application/jsonl``)
as soon as a route ``yield``s model instances? Because the clients of this export, such as a
spreadsheet import or a browser's ``response.json()``, expect one JSON document. JSON Lines is
a good choice when you control the client; here you do not.

Try it in a cell: ``server = perflab.serve(create_app(demo_users))``, then
``with httpx.stream("GET", server.url + "/export") as response:`` and, inside that block,
``for chunk in response.iter_text(): print(chunk)``. The rows arrive five at a time.
Stop the server with ``server.stop()``.
"""

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


class JSONStreamingResponse(StreamingResponse):
    """A streamed response whose body is JSON."""

    media_type = "application/json"


def create_app(source: Callable[[], AsyncIterator[Row]]) -> FastAPI:
    """Return an app whose ``GET /export`` streams the rows of ``source()`` as one JSON array.

    Args:
        source: Called once per request; gives the user rows one by one, like a database cursor.
    """
    app = FastAPI()

    # With a StreamingResponse class as response_class, FastAPI streams whatever the route
    # yields, as it comes: each row leaves as soon as the source gives it, and no list of all
    # the rows ever exists. Without response_class, FastAPI would stream JSON Lines instead.
    # Returning StreamingResponse(generator(), media_type="application/json") works the same.
    @app.get("/export", response_class=JSONStreamingResponse)
    async def export() -> AsyncIterator[bytes]:
        yield b"["
        separator = b""  # a comma goes before every row but the first: no trailing comma, and [] when empty
        async for row in source():
            # model_validate keeps only the model's fields, so password_hash is left behind, and
            # model_dump_json escapes quotes, backslashes and line breaks and writes created_at
            # in ISO 8601: never build JSON with an f-string.
            user = PublicUser.model_validate(row)
            yield separator + user.model_dump_json().encode()
            separator = b","
        # If the source raises, the loop stops here and "]" is never sent: the server breaks the
        # response off, and the client sees an error instead of an export that looks complete.
        yield b"]"

    return app
