# expect: fail gives every post once, in order, page by page
# It writes the keyset in raw SQL and binds a cursor time formatted to whole seconds, dropping the microseconds, so as text it sorts before the stored value and every post sharing that created_at is read again.
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
        if cursor:
            created_at, last_id = cursor.split("_")
            stmt = text(
                "SELECT * FROM perflab_blog_posts WHERE (created_at, id) > (:c, :i) ORDER BY created_at, id LIMIT :n"
            ).bindparams(c=created_at.replace("T", " "), i=int(last_id), n=limit + 1)
        else:
            stmt = text("SELECT * FROM perflab_blog_posts ORDER BY created_at, id LIMIT :n").bindparams(n=limit + 1)
        rows = (await session.scalars(select(blog.Post).from_statement(stmt))).all()
        posts = rows[:limit]
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in posts]
        last = posts[-1] if posts else None
        next_cursor = f"{last.created_at:%Y-%m-%dT%H:%M:%S}_{last.id}" if len(rows) > limit else None
        return {"items": items, "next": next_cursor}

    return app
