# expect: pass
"""Uses json.dumps on each validated model's JSON-mode dict, and sends 50 rows per chunk."""

import json
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

BATCH = 50


class PublicUser(BaseModel):
    id: int
    name: str
    email: str
    created_at: datetime


def create_app(source: Callable[[], AsyncIterator[dict[str, Any]]]) -> FastAPI:
    app = FastAPI()

    async def export_chunks() -> AsyncIterator[str]:
        pending: list[str] = []
        sent_any = False
        yield "["
        async for row in source():
            pending.append(json.dumps(PublicUser(**row).model_dump(mode="json"), ensure_ascii=False))
            if len(pending) == BATCH:
                yield ("," if sent_any else "") + ",".join(pending)
                sent_any, pending = True, []
        if pending:
            yield ("," if sent_any else "") + ",".join(pending)
        yield "]"

    @app.get("/export")
    async def export() -> StreamingResponse:
        return StreamingResponse(export_chunks(), media_type="application/json")

    return app
