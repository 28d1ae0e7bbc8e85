"""Solution keyset: the cursor is the (created_at, id) of the page's last post."""

from collections.abc import AsyncIterator
from datetime import datetime

from fastapi import Depends, FastAPI, HTTPException
from sqlalchemy import select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from perflab.lab import blog


def encode_cursor(post: blog.Post) -> str:
    """Return the cursor that points just after ``post``.

    Args:
        post: The last post of a page.
    """
    return f"{post.created_at.isoformat()}|{post.id}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Return the ``(created_at, id)`` that ``cursor`` holds, or answer 400 for a cursor this app did not make.

    Args:
        cursor: What the client sent back.
    """
    try:
        created_at, post_id = cursor.rsplit("|", 1)
        return datetime.fromisoformat(created_at), int(post_id)
    except ValueError:
        raise HTTPException(400, detail="cursor is not one this API gave out") from None


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
        order = (blog.Post.created_at, blog.Post.id)
        query = select(blog.Post).order_by(*order).limit(limit + 1)  # one more: is there a next page?
        if cursor:
            # Both sort columns, compared as one row value: the index on (created_at, id) seeks to it.
            query = query.where(tuple_(*order) > decode_cursor(cursor))
        posts = (await session.scalars(query)).all()
        page = posts[:limit]
        items = [{"id": post.id, "title": post.title, "created_at": post.created_at.isoformat()} for post in page]
        return {"items": items, "next": encode_cursor(page[-1]) if page and len(posts) > limit else None}

    return app
