# expect: fail answers each page exactly as the stub does
# Caches each page's JSON by limit in a dict that lives as long as the app, so later requests skip the database and keep answering old data after the blog changes, instead of the current first limit authors.
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
    pages: dict[int, list[dict]] = {}  # fewer queries still: each page is built once

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/authors")
    async def list_authors(limit: int = 20, session: AsyncSession = Depends(get_session)) -> list[dict]:
        if limit in pages:
            return pages[limit]
        query = (select(blog.Author).order_by(blog.Author.id).limit(limit)
                 .options(selectinload(blog.Author.posts).selectinload(blog.Post.tags)))
        authors = (await session.scalars(query)).all()
        page = [{"id": a.id, "name": a.name,
                 "posts": [{"id": p.id, "title": p.title, "tags": sorted(t.name for t in p.tags)} for p in a.posts]}
                for a in authors]
        pages[limit] = page
        return page

    return app
