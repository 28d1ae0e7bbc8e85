# expect: fail costs a seek on a deep page, not a scan
# The cursor is a proper (created_at, id) keyset, but the route streams the table from the start and skips in Python up to that position, so the database still reads every row before the page.
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
        after = None
        if cursor:
            stamp, last_id = cursor.split("|")
            after = (datetime.fromisoformat(stamp), int(last_id))
        query = select(blog.Post).order_by(blog.Post.created_at, blog.Post.id).execution_options(yield_per=limit + 1)
        posts: list[blog.Post] = []
        more = False
        # stream in small batches, so only the rows we need are loaded, not the whole table
        async for post in await session.stream_scalars(query):
            if after is not None and (post.created_at, post.id) <= after:
                continue
            if len(posts) == limit:
                more = True
                break
            posts.append(post)
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in posts]
        last = posts[-1] if posts else None
        return {"items": items, "next": f"{last.created_at.isoformat()}|{last.id}" if more else None}

    return app
