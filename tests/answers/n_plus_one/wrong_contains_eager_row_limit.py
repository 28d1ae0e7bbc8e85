# expect: fail answers each page exactly as the stub does
# Outer-joins posts and tags and fills the relationships with contains_eager, but the LIMIT then counts joined rows, not authors, so a page has fewer than limit authors and the last author's posts or tags are cut short.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise n_plus_one: list authors with their posts and tags in a few queries, whatever the page size."""

from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import contains_eager

from perflab.lab import blog


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /authors`` lists the first ``limit`` authors with their posts and tags."""
    app = FastAPI(title="blog")

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/authors")
    async def list_authors(limit: int = 20, session: AsyncSession = Depends(get_session)) -> list[dict]:
        # one query: outer joins keep authors without posts and posts without tags
        query = (
            select(blog.Author)
            .outerjoin(blog.Author.posts)
            .outerjoin(blog.Post.tags)
            .options(contains_eager(blog.Author.posts).contains_eager(blog.Post.tags))
            .order_by(blog.Author.id, blog.Post.id)
            .limit(limit)
        )
        authors = (await session.scalars(query)).unique().all()
        page = []
        for author in authors:
            posts = [{"id": post.id, "title": post.title, "tags": sorted(tag.name for tag in post.tags)}
                     for post in author.posts]
            page.append({"id": author.id, "name": author.name, "posts": posts})
        return page

    return app
