# expect: fail streams while the source is still reading
"""Collects every row as a PublicUser in a list and returns it with a declared type: right JSON, no streaming."""

from collections.abc import AsyncIterator, Callable
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
    async def export() -> list[PublicUser]:
        return [PublicUser(**row) async for row in source()]

    return app
