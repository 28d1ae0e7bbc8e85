# expect: fail answers with media type application/json
"""Streams the right array, but StreamingResponse without media_type sends no Content-Type."""

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
        yield "["
        separator = ""
        async for row in source():
            yield separator + PublicUser.model_validate(row).model_dump_json()
            separator = ","
        yield "]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(stream())

    return app
