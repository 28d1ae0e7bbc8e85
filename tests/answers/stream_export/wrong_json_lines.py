# expect: fail sends every row's public fields as one JSON array
"""FastAPI's own streaming: yielding models streams JSON Lines (application/jsonl), not one array."""

from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel


class PublicUser(BaseModel):
    id: int
    name: str
    email: str
    created_at: datetime


def create_app(source: Callable[[], AsyncIterator[dict[str, Any]]]) -> FastAPI:
    app = FastAPI()

    @app.get("/export")
    async def export() -> AsyncIterable[PublicUser]:
        async for row in source():
            yield PublicUser.model_validate(row)

    return app
