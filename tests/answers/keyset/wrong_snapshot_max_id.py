# expect: fail keeps its place while others write new posts
# To read 'exactly the posts that were there', the cursor also carries the highest id seen on the first page and filters id <= it, so new posts that sort after the reader's place never appear.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise keyset: page through every post exactly once, at the same cost on every page.

The whole task, in your language: `task("keyset")` in the notebook, or `perflab task keyset`
in a terminal. `perflab check keyset` checks this file.
"""

from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import Depends, FastAPI
from sqlalchemy import func, select, text, tuple_
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
            stamp, last_id, max_id = cursor.split("|")
            max_id = int(max_id)
            query = query.where(tuple_(blog.Post.created_at, blog.Post.id) > (datetime.fromisoformat(stamp), int(last_id)))
        else:
            # freeze the table as it is now: later pages ignore posts written after this one
            max_id = await session.scalar(select(func.max(blog.Post.id))) or 0
        query = query.where(blog.Post.id <= max_id)
        rows = (await session.scalars(query)).all()
        posts = rows[:limit]
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in posts]
        last = posts[-1] if posts else None
        next_cursor = f"{last.created_at.isoformat()}|{last.id}|{max_id}" if len(rows) > limit else None
        return {"items": items, "next": next_cursor}

    return app
