# expect: fail streams while the source is still reading
"""Uses StreamingResponse, but reads every row into a list first and then streams the list."""

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

    async def stream(users: list[PublicUser]) -> AsyncIterator[str]:
        yield "["
        for index, user in enumerate(users):
            yield ("," if index else "") + user.model_dump_json()
        yield "]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        users = [PublicUser.model_validate(row) async for row in source()]
        return StreamingResponse(stream(users), media_type="application/json")

    return app
