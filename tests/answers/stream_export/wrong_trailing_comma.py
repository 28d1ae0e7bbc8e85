# expect: fail sends every row's public fields as one JSON array
"""Writes a comma after every row, the last one too: [{...},{...},] is not JSON."""

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
        async for row in source():
            yield PublicUser.model_validate(row).model_dump_json() + ","
        yield "]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(stream(), media_type="application/json")

    return app
