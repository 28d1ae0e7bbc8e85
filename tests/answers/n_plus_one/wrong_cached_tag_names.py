# expect: fail answers each page exactly as the stub does
# Loads the tag id-to-name table once and keeps it for the app's life, so the sample blog looks right but a tag added or renamed later is answered stale (or crashes with KeyError) instead of the post's current tag names.
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
    tag_names: dict[int, str] = {}  # there are only a dozen tags: read them once

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/authors")
    async def list_authors(limit: int = 20, session: AsyncSession = Depends(get_session)) -> list[dict]:
        if not tag_names:
            tag_names.update((await session.execute(select(blog.Tag.id, blog.Tag.name))).tuples().all())
        authors = (await session.scalars(select(blog.Author).order_by(blog.Author.id).limit(limit)
                                         .options(selectinload(blog.Author.posts)))).all()
        post_ids = [post.id for author in authors for post in author.posts]
        links = (await session.execute(
            select(blog.post_tags.c.post_id, blog.post_tags.c.tag_id)
            .where(blog.post_tags.c.post_id.in_(post_ids)))).all()
        tags: dict[int, list[str]] = defaultdict(list)
        for post_id, tag_id in links:
            tags[post_id].append(tag_names[tag_id])
        return [{"id": author.id, "name": author.name,
                 "posts": [{"id": post.id, "title": post.title, "tags": sorted(tags[post.id])} for post in author.posts]}
                for author in authors]

    return app
