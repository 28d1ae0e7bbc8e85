# expect: pass
# Loads authors, posts and tags in one query with chained joinedload, de-duplicates the joined rows with .unique(), and keeps the page LIMIT on the authors.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise n_plus_one: list authors with their posts and tags in a few queries, whatever the page size."""

from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import joinedload

from perflab.lab import blog


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /authors`` lists the first ``limit`` authors with their posts and tags."""
    app = FastAPI(title="blog")

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/authors")
    async def list_authors(limit: int = 20, session: AsyncSession = Depends(get_session)) -> list[dict]:
        query = (
            select(blog.Author)
            .options(joinedload(blog.Author.posts).joinedload(blog.Post.tags))
            .order_by(blog.Author.id)
            .limit(limit)
        )
        result = await session.scalars(query)
        authors = result.unique().all()
        page = []
        for author in authors:
            posts = []
            for post in author.posts:
                posts.append({"id": post.id, "title": post.title, "tags": sorted(tag.name for tag in post.tags)})
            page.append({"id": author.id, "name": author.name, "posts": posts})
        return page

    return app
