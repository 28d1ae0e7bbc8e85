# expect: pass
# Right: the OR of the keyset (same created_at and larger id, or later created_at) run as two index range queries, limit + 1 rows to decide next, a plain 'isotime|id' cursor.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise keyset: page through every post exactly once, at the same cost on every page.

The whole task, in your language: `task("keyset")` in the notebook, or `perflab task keyset`
in a terminal. `perflab check keyset` checks this file.
"""

from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from perflab.lab import blog

ORDER = (blog.Post.created_at, blog.Post.id)


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
        want = limit + 1  # one more than the page, to know whether a next page exists
        if cursor:
            stamp, _, last_id = cursor.rpartition("|")
            created_at, post_id = datetime.fromisoformat(stamp), int(last_id)
            # created_at == c AND id > i ...
            same = select(blog.Post).where(blog.Post.created_at == created_at, blog.Post.id > post_id)
            posts = list((await session.scalars(same.order_by(*ORDER).limit(want))).all())
            # ... OR created_at > c
            if len(posts) < want:
                later = select(blog.Post).where(blog.Post.created_at > created_at)
                posts += (await session.scalars(later.order_by(*ORDER).limit(want - len(posts)))).all()
        else:
            posts = list((await session.scalars(select(blog.Post).order_by(*ORDER).limit(want))).all())
        page = posts[:limit]
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in page]
        more = len(posts) > limit and page
        return {"items": items, "next": f"{page[-1].created_at.isoformat()}|{page[-1].id}" if more else None}

    return app
