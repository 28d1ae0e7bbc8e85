# expect: fail sends every row's public fields as one JSON array
"""The source tutorial's code with a model: json.dumps(user.model_dump()) cannot write a datetime."""

import json
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
        first = True
        async for row in source():
            if not first:
                yield ","
            yield json.dumps(PublicUser(**row).model_dump())
            first = False
        yield "]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(stream(), media_type="application/json")

    return app
