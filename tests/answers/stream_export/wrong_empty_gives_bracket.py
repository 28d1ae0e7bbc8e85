# expect: fail answers [] when there are no rows
"""Opens the array with the first row, "[" + row, so an empty source sends only "]"."""

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel


class PublicUser(BaseModel):
    id: int
    name: str
    email: str
    created_at: datetime


def create_app(source: Callable[[], AsyncIterator[dict[str, Any]]]) -> FastAPI:
    app = FastAPI()

    async def stream() -> AsyncIterator[str]:
        first = True
        async for row in source():
            yield ("[" if first else ",") + PublicUser.model_validate(row).model_dump_json()
            first = False
        yield "]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(stream(), media_type="application/json")

    return app
