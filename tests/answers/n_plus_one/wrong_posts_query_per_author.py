# expect: fail runs the same few queries for a page of any size
# Loads each author's posts with its own query (tags selectin-loaded inside it), so the page costs 1 + 2 queries per author and grows with the page size instead of staying at most 4.
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
        authors = (await session.scalars(select(blog.Author).order_by(blog.Author.id).limit(limit))).all()
        page = []
        for author in authors:
            # the tags now come with the posts, in one go per author
            posts_query = (select(blog.Post).where(blog.Post.author_id == author.id)
                           .order_by(blog.Post.id).options(selectinload(blog.Post.tags)))
            posts = [{"id": post.id, "title": post.title, "tags": sorted(tag.name for tag in post.tags)}
                     for post in (await session.scalars(posts_query)).all()]
            page.append({"id": author.id, "name": author.name, "posts": posts})
        return page

    return app
