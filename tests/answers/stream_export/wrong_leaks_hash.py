# expect: fail never sends a password hash
"""Streams each row as it comes, with json.dumps(row, default=str): the whole row, password hash too."""

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse


def create_app(source: Callable[[], AsyncIterator[dict[str, Any]]]) -> FastAPI:
    app = FastAPI()

    async def stream() -> AsyncIterator[str]:
        yield "["
        first = True
        async for row in source():
            if not first:
                yield ","
            yield json.dumps(row, default=str)
            first = False
        yield "]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(stream(), media_type="application/json")

    return app
