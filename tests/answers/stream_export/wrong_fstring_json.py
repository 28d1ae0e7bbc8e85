# expect: fail keeps quotes, backslashes, line breaks and non-ASCII names intact
"""Writes each row's JSON with an f-string: fine for plain names, broken by a quote or a backslash."""

from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse


def create_app(source: Callable[[], AsyncIterator[dict[str, Any]]]) -> FastAPI:
    app = FastAPI()

    async def stream() -> AsyncIterator[str]:
        yield "["
        separator = ""
        async for row in source():
            yield (f'{separator}{{"id": {row["id"]}, "name": "{row["name"]}", "email": "{row["email"]}", '
                   f'"created_at": "{row["created_at"].isoformat()}"}}')
            separator = ","
        yield "]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(stream(), media_type="application/json")

    return app
