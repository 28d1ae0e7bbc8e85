# expect: fail answers each page exactly as the stub does
# Builds the answer from an inner join of the page's authors with their posts, so an author with no posts vanishes from the page instead of being listed with "posts": [].
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
        page_ids = select(blog.Author.id).order_by(blog.Author.id).limit(limit).scalar_subquery()
        rows = (await session.execute(
            select(blog.Author.id, blog.Author.name, blog.Post.id, blog.Post.title)
            .join(blog.Post, blog.Post.author_id == blog.Author.id)
            .where(blog.Author.id.in_(page_ids))
            .order_by(blog.Author.id, blog.Post.id))).all()
        tag_rows = (await session.execute(
            select(blog.post_tags.c.post_id, blog.Tag.name)
            .join(blog.Tag, blog.Tag.id == blog.post_tags.c.tag_id)
            .where(blog.post_tags.c.post_id.in_([row[2] for row in rows])))).all()

        tags: dict[int, list[str]] = defaultdict(list)
        for post_id, name in tag_rows:
            tags[post_id].append(name)
        page: dict[int, dict] = {}
        for author_id, name, post_id, title in rows:
            author = page.setdefault(author_id, {"id": author_id, "name": name, "posts": []})
            author["posts"].append({"id": post_id, "title": title, "tags": sorted(tags[post_id])})
        return list(page.values())

    return app
