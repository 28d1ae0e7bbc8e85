# expect: pass
"""Uses json.dumps on each validated model's JSON-mode dict, and sends each row as its own chunk."""

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

    async def export_chunks() -> AsyncIterator[str]:
        separator = "["
        async for row in source():
            yield separator + json.dumps(PublicUser(**row).model_dump(mode="json"), ensure_ascii=False)
            separator = ","
        if separator == "[":
            yield "["
        yield "]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(export_chunks(), media_type="application/json")

    return app
