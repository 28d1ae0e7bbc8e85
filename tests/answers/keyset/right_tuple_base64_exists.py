# expect: pass
# Right: a tuple_ row-value comparison on (created_at, id), an opaque base64 JSON cursor, and an EXISTS query to decide whether a next page exists.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise keyset: page through every post exactly once, at the same cost on every page.

The whole task, in your language: `task("keyset")` in the notebook, or `perflab task keyset`
in a terminal. `perflab check keyset` checks this file.
"""

import base64
import json
from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import Depends, FastAPI
from sqlalchemy import exists, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from perflab.lab import blog


def _encode(post: blog.Post) -> str:
    raw = json.dumps({"created_at": post.created_at.isoformat(), "id": post.id}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode(cursor: str) -> tuple[datetime, int]:
    data = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    return datetime.fromisoformat(data["created_at"]), int(data["id"])


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /posts`` answers one page of posts, oldest first, and a cursor to the next.

    Args:
        sessions: Makes a session on the blog's database; one per request.
    """
    app = FastAPI(title="feed")

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/posts")
    async def list_posts(cursor: str | None = None, limit: int = 20,
                         session: AsyncSession = Depends(get_session)) -> dict:
        key = tuple_(blog.Post.created_at, blog.Post.id)
        query = select(blog.Post).order_by(blog.Post.created_at, blog.Post.id).limit(limit)
        if cursor:
            query = query.where(key > _decode(cursor))
        posts = (await session.scalars(query)).all()
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in posts]
        next_cursor = None
        if posts:
            last = posts[-1]
            more = await session.scalar(select(exists().where(key > (last.created_at, last.id))))
            if more:
                next_cursor = _encode(last)
        return {"items": items, "next": next_cursor}

    return app
