# expect: fail answers each page exactly as the stub does
# Loads posts with a manual IN query ordered by created_at (newest blog order) instead of by id, so each author's posts come out of the order of their ids that the task fixes.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise n_plus_one: list authors with their posts and tags in a few queries, whatever the page size."""

from collections import defaultdict
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
        posts = (await session.scalars(
            select(blog.Post)
            .where(blog.Post.author_id.in_([author.id for author in authors]))
            .order_by(blog.Post.created_at)
            .options(selectinload(blog.Post.tags)))).all()
        by_author: dict[int, list[dict]] = defaultdict(list)
        for post in posts:
            by_author[post.author_id].append(
                {"id": post.id, "title": post.title, "tags": sorted(tag.name for tag in post.tags)})
        return [{"id": author.id, "name": author.name, "posts": by_author[author.id]} for author in authors]

    return app
