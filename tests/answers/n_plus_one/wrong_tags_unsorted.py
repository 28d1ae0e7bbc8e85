# expect: fail answers each page exactly as the stub does
# Eager-loads posts and tags with selectinload but lists each post's tag names in the order they were loaded, not sorted as the task requires.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise n_plus_one: list authors with their posts and tags in a few queries, whatever the page size."""

from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from perflab.lab import blog


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /authors`` lists the first ``limit`` authors with their posts and tags."""
    app = FastAPI(title="blog")

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/authors")
    async def list_authors(limit: int = 20, session: AsyncSession = Depends(get_session)) -> list[dict]:
        query = (select(blog.Author).order_by(blog.Author.id).limit(limit)
                 .options(selectinload(blog.Author.posts).selectinload(blog.Post.tags)))
        authors = (await session.scalars(query)).all()
        return [
            {"id": author.id, "name": author.name,
             "posts": [{"id": post.id, "title": post.title, "tags": [tag.name for tag in post.tags]}
                       for post in author.posts]}
            for author in authors
        ]

    return app
