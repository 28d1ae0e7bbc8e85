# expect: fail answers each page exactly as the stub does
# Drops the ORDER BY on the authors while adding selectinload, so the page is whichever limit authors the database returns first, not the first limit authors by id.
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
        query = select(blog.Author).limit(limit).options(
            selectinload(blog.Author.posts).selectinload(blog.Post.tags))
        authors = (await session.scalars(query)).all()
        page = []
        for author in authors:
            posts = [{"id": post.id, "title": post.title, "tags": sorted(tag.name for tag in post.tags)}
                     for post in author.posts]
            page.append({"id": author.id, "name": author.name, "posts": posts})
        return page

    return app
