# expect: fail keeps its place while others write new posts
# The cursor holds the last created_at and the ids already read at that created_at (created_at >= c AND id NOT IN seen), so a new post at that created_at with a smaller id, which sorts before the place read, still appears, out of order.
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

    @app.get("/posts")
    async def list_posts(cursor: str | None = None, limit: int = 20,
                         session: AsyncSession = Depends(get_session)) -> dict:
        query = select(blog.Post).order_by(blog.Post.created_at, blog.Post.id).limit(limit + 1)
        seen: list[int] = []
        stamp = None
        if cursor:
            stamp, _, ids = cursor.partition("~")
            seen = [int(i) for i in ids.split(".") if i]
            query = query.where(blog.Post.created_at >= datetime.fromisoformat(stamp), blog.Post.id.not_in(seen))
        rows = (await session.scalars(query)).all()
        posts = rows[:limit]
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in posts]
        next_cursor = None
        if len(rows) > limit:
            last = posts[-1]
            # every post already read at the last created_at, so that none is read twice
            same = [p.id for p in posts if p.created_at == last.created_at]
            if stamp is not None and datetime.fromisoformat(stamp) == last.created_at:
                same = seen + same
            next_cursor = last.created_at.isoformat() + "~" + ".".join(map(str, same))
        return {"items": items, "next": next_cursor}

    return app
