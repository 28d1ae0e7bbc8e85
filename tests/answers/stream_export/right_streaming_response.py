# expect: pass
"""Returns a StreamingResponse over an async generator, writing each row with a TypeAdapter."""

from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, TypeAdapter


class PublicUser(BaseModel):
    id: int
    name: str
    email: str
    created_at: datetime


PUBLIC_USER = TypeAdapter(PublicUser)


def create_app(source: Callable[[], AsyncIterator[dict[str, Any]]]) -> FastAPI:
    app = FastAPI()

    async def rows_as_json() -> AsyncIterator[bytes]:
        first = True
        yield b"["
        async for row in source():
            if not first:
                yield b","
            first = False
            yield PUBLIC_USER.dump_json(PUBLIC_USER.validate_python(row))
        yield b"]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(rows_as_json(), media_type="application/json")

    return app
