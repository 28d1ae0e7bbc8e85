# expect: fail costs a seek on a deep page, not a scan
# The cursor keeps the offset and adds the last id to find the place again if rows shifted, so the database still reads and throws away every row before the page and deep pages cost more.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise keyset: page through every post exactly once, at the same cost on every page.

The whole task, in your language: `task("keyset")` in the notebook, or `perflab task keyset`
in a terminal. `perflab check keyset` checks this file.
"""

from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import Depends, FastAPI
from sqlalchemy import select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from perflab.lab import blog


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /posts`` answers one page of posts, oldest first, and a cursor to the next.

    Args:
        sessions: Makes a session on the blog's database; one per request.
    """
    app = FastAPI(title="feed")

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    SLACK = 50  # how far posts written meanwhile may shift the rows

    @app.get("/posts")
    async def list_posts(cursor: str | None = None, limit: int = 20,
                         session: AsyncSession = Depends(get_session)) -> dict:
        offset, last_id = (int(part) for part in cursor.split(":")) if cursor else (0, None)
        start = max(offset - SLACK, 0)
        query = select(blog.Post).order_by(blog.Post.created_at, blog.Post.id).offset(start).limit(limit + 2 * SLACK + 1)
        rows = list((await session.scalars(query)).all())
        ids = [row.id for row in rows]
        skip = ids.index(last_id) + 1 if last_id in ids else offset - start
        rows = rows[skip:skip + limit + 1]
        posts = rows[:limit]
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in posts]
        next_offset = start + skip + len(posts)
        return {"items": items, "next": f"{next_offset}:{posts[-1].id}" if len(rows) > limit else None}

    return app
