# expect: pass
# Runs three plain queries (the page of authors, their posts WHERE author_id IN the page, the tag names of those posts) and joins them in Python with dicts.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise n_plus_one: list authors with their posts and tags in a few queries, whatever the page size."""

from collections import defaultdict
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from perflab.lab import blog


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /authors`` lists the first ``limit`` authors with their posts and tags."""
    app = FastAPI(title="blog")

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/authors")
    async def list_authors(limit: int = 20, session: AsyncSession = Depends(get_session)) -> list[dict]:
        page_ids = select(blog.Author.id).order_by(blog.Author.id).limit(limit).subquery()
        authors = (await session.execute(
            select(blog.Author.id, blog.Author.name).order_by(blog.Author.id).limit(limit))).all()
        posts = (await session.execute(
            select(blog.Post.id, blog.Post.author_id, blog.Post.title)
            .where(blog.Post.author_id.in_(select(page_ids.c.id)))
            .order_by(blog.Post.id))).all()
        tag_rows = (await session.execute(
            select(blog.post_tags.c.post_id, blog.Tag.name)
            .join(blog.Tag, blog.Tag.id == blog.post_tags.c.tag_id)
            .join(blog.Post, blog.Post.id == blog.post_tags.c.post_id)
            .where(blog.Post.author_id.in_(select(page_ids.c.id))))).all()

        tags_by_post: dict[int, list[str]] = defaultdict(list)
        for post_id, name in tag_rows:
            tags_by_post[post_id].append(name)
        posts_by_author: dict[int, list[dict]] = defaultdict(list)
        for post_id, author_id, title in posts:
            posts_by_author[author_id].append({"id": post_id, "title": title, "tags": sorted(tags_by_post[post_id])})
        return [{"id": author_id, "name": name, "posts": posts_by_author[author_id]} for author_id, name in authors]

    return app
