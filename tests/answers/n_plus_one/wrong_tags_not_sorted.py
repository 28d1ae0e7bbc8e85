# expect: fail answers each page exactly as the stub does
"""Forgets to sort each post's tag names."""

from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from perflab.lab import blog


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /authors`` lists the first ``limit`` authors with their posts and tags.

    Args:
        sessions: Makes a session on the blog's database; one per request.
    """
    app = FastAPI(title="blog")

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/authors")
    async def list_authors(limit: int = 20, session: AsyncSession = Depends(get_session)) -> list[dict]:
        # One query for the page, one for all its authors' posts (WHERE author_id IN ...), one for
        # all those posts' tags: three, for a page of 1 or of 1,000. selectinload suits collections;
        # joinedload would repeat each author's columns once per post and tag.
        query = select(blog.Author).order_by(blog.Author.id).limit(limit).options(
            selectinload(blog.Author.posts).selectinload(blog.Post.tags))
        authors = (await session.scalars(query)).all()
        return [
            {"id": author.id, "name": author.name,
             "posts": [{"id": post.id, "title": post.title, "tags": [tag.name for tag in post.tags]}
                       for post in author.posts]}
            for author in authors
        ]

    return app
