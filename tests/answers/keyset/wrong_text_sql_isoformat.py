# expect: fail gives every post once, in order, page by page
# It writes the keyset in raw SQL and binds the cursor's created_at as the isoformat string with a 'T', which SQLite compares as text against its stored '2026-01-01 10:00:00.000000', so the rest of that day is skipped.
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

    page_sql = text(
        "SELECT * FROM perflab_blog_posts WHERE (created_at, id) > (:created_at, :id) "
        "ORDER BY created_at, id LIMIT :limit"
    )
    first_sql = text("SELECT * FROM perflab_blog_posts ORDER BY created_at, id LIMIT :limit")

    @app.get("/posts")
    async def list_posts(cursor: str | None = None, limit: int = 20,
                         session: AsyncSession = Depends(get_session)) -> dict:
        if cursor:
            # the cursor is "<created_at as in the answer>,<id>"
            created_at, last_id = cursor.rsplit(",", 1)
            stmt = page_sql.bindparams(created_at=created_at, id=int(last_id), limit=limit + 1)
        else:
            stmt = first_sql.bindparams(limit=limit + 1)
        rows = (await session.scalars(select(blog.Post).from_statement(stmt))).all()
        posts = rows[:limit]
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in posts]
        next_cursor = f"{items[-1]['created_at']},{items[-1]['id']}" if len(rows) > limit else None
        return {"items": items, "next": next_cursor}

    return app
