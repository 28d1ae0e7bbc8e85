# expect: fail answers each page exactly as the stub does
# Uses selectinload correctly but always pages 20 authors, ignoring the limit parameter, so limit=3 or limit=40 answer the wrong number of authors.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise n_plus_one: list authors with their posts and tags in a few queries, whatever the page size."""

from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from perflab.lab import blog

PAGE_SIZE = 20


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /authors`` lists the first ``limit`` authors with their posts and tags."""
    app = FastAPI(title="blog")

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/authors")
    async def list_authors(limit: int = 20, session: AsyncSession = Depends(get_session)) -> list[dict]:
        query = (select(blog.Author).order_by(blog.Author.id).limit(PAGE_SIZE)
                 .options(selectinload(blog.Author.posts).selectinload(blog.Post.tags)))
        authors = (await session.scalars(query)).all()
        return [{"id": a.id, "name": a.name,
                 "posts": [{"id": p.id, "title": p.title, "tags": sorted(t.name for t in p.tags)} for p in a.posts]}
                for a in authors]

    return app
