# expect: fail gives every post once, in order, page by page
# It fetches limit + 1 rows to know whether a next page exists and then returns them all, so each page holds one post more than limit.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise keyset: page through every post exactly once, at the same cost on every page.

The whole task, in your language: `task("keyset")` in the notebook, or `perflab task keyset`
in a terminal. `perflab check keyset` checks this file.
"""

from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import Depends, FastAPI
from sqlalchemy import and_, or_, select, tuple_
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

    @app.get("/posts")
    async def list_posts(cursor: str | None = None, limit: int = 20,
                         session: AsyncSession = Depends(get_session)) -> dict:
        query = select(blog.Post).order_by(blog.Post.created_at, blog.Post.id).limit(limit + 1)
        if cursor:
            stamp, last_id = cursor.split("|")
            query = query.where(tuple_(blog.Post.created_at, blog.Post.id) > (datetime.fromisoformat(stamp), int(last_id)))
        posts = (await session.scalars(query)).all()
        has_more = len(posts) > limit
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in posts]
        last = posts[-1] if posts else None
        return {"items": items, "next": f"{last.created_at.isoformat()}|{last.id}" if has_more else None}

    return app
