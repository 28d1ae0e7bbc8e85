# expect: pass
# Right: selects only the three columns, a tuple_ row-value keyset, limit + 1 rows to decide next, and a cursor of the timestamp in microseconds and the id.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise keyset: page through every post exactly once, at the same cost on every page.

The whole task, in your language: `task("keyset")` in the notebook, or `perflab task keyset`
in a terminal. `perflab check keyset` checks this file.
"""

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from fastapi import Depends, FastAPI
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from perflab.lab import blog

EPOCH = datetime(1970, 1, 1)


def make_cursor(created_at: datetime, post_id: int) -> str:
    micros = (created_at - EPOCH) // timedelta(microseconds=1)  # exact integer, no float rounding
    return f"{micros}.{post_id}"


def read_cursor(cursor: str) -> tuple[datetime, int]:
    micros, post_id = cursor.split(".")
    return EPOCH + timedelta(microseconds=int(micros)), int(post_id)


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
        Post = blog.Post
        query = select(Post.id, Post.title, Post.created_at).order_by(Post.created_at, Post.id).limit(limit + 1)
        if cursor is not None:
            query = query.where(tuple_(Post.created_at, Post.id) > read_cursor(cursor))
        rows = (await session.execute(query)).all()
        page, has_more = rows[:limit], len(rows) > limit
        items = [{"id": row.id, "title": row.title, "created_at": row.created_at.isoformat()} for row in page]
        next_cursor = make_cursor(page[-1].created_at, page[-1].id) if has_more and page else None
        return {"items": items, "next": next_cursor}

    return app
