"""Exercise keyset: page through every post exactly once, at the same cost on every page.

The whole task, in your language: `task("keyset")` in the notebook, or `perflab task keyset`
in a terminal. `perflab check keyset` checks this file.
"""

from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from sqlalchemy import select
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
        # TODO: this cursor is an offset. The database reads and throws away every row before it, so
        # deep pages cost more and more; and a post written meanwhile shifts the rows, so a page
        # repeats a post or skips one. Make the cursor say where the last page ended instead.
        offset = int(cursor) if cursor else 0
        query = select(blog.Post).order_by(blog.Post.created_at, blog.Post.id).offset(offset).limit(limit + 1)
        posts = (await session.scalars(query)).all()  # one more than the page: is there a next page?
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()}
                 for post in posts[:limit]]
        return {"items": items, "next": str(offset + limit) if len(posts) > limit else None}

    return app
