# expect: fail gives every post once, in order, page by page
# The next cursor is a random token that points into a dict the app keeps between requests, so the position lives in the app rather than in the cursor and is lost by another app (or worker) or a restart.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise keyset: page through every post exactly once, at the same cost on every page.

The whole task, in your language: `task("keyset")` in the notebook, or `perflab task keyset`
in a terminal. `perflab check keyset` checks this file.
"""

import secrets
from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import Depends, FastAPI
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from perflab.lab import blog


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /posts`` answers one page of posts, oldest first, and a cursor to the next.

    Args:
        sessions: Makes a session on the blog's database; one per request.
    """
    app = FastAPI(title="feed")

    positions: dict[str, tuple[datetime, int]] = {}  # token -> (created_at, id) of the last post served

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/posts")
    async def list_posts(cursor: str | None = None, limit: int = 20,
                         session: AsyncSession = Depends(get_session)) -> dict:
        query = select(blog.Post).order_by(blog.Post.created_at, blog.Post.id).limit(limit + 1)
        if cursor:
            query = query.where(tuple_(blog.Post.created_at, blog.Post.id) > positions.pop(cursor))
        rows = (await session.scalars(query)).all()
        posts = rows[:limit]
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in posts]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = secrets.token_urlsafe(12)
            positions[next_cursor] = (posts[-1].created_at, posts[-1].id)
        return {"items": items, "next": next_cursor}

    return app
