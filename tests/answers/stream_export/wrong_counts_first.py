# expect: fail reads the source once per request
"""Counts the rows first for an X-Total-Count header, then streams them: the source runs twice."""

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
        total = 0
        async for _row in source():
            total += 1
        return StreamingResponse(stream(), media_type="application/json", headers={"X-Total-Count": str(total)})

    return app
