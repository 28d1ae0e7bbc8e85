# expect: fail does not pass a failed export off as complete
"""Closes the array in a finally block "to keep the JSON valid": a failed export looks complete."""

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
        try:
            async for row in source():
                yield separator + PublicUser.model_validate(row).model_dump_json()
                separator = ","
        except Exception:
            pass  # never send broken JSON
        finally:
            yield "]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(stream(), media_type="application/json")

    return app
