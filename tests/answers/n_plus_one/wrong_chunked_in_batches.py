# expect: fail runs the same few queries for a page of any size
# Fetches posts and tags with IN queries over batches of 10 authors, so a page of 10 takes 3 queries but a page of 20 takes 5 and a page of 40 takes 9: the count still grows with the page size.
# Written from the exercise text alone, by someone who had not read the checks.
"""Exercise n_plus_one: list authors with their posts and tags in a few queries, whatever the page size."""

from collections import defaultdict
from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from perflab.lab import blog

BATCH = 10  # keep the IN lists short


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /authors`` lists the first ``limit`` authors with their posts and tags."""
    app = FastAPI(title="blog")

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/authors")
    async def list_authors(limit: int = 20, session: AsyncSession = Depends(get_session)) -> list[dict]:
        authors = (await session.execute(
            select(blog.Author.id, blog.Author.name).order_by(blog.Author.id).limit(limit))).all()
        posts_by_author: dict[int, list[dict]] = defaultdict(list)
        for start in range(0, len(authors), BATCH):
            batch = [author_id for author_id, _ in authors[start:start + BATCH]]
            posts = (await session.execute(
                select(blog.Post.id, blog.Post.author_id, blog.Post.title)
                .where(blog.Post.author_id.in_(batch)).order_by(blog.Post.id))).all()
            tag_rows = (await session.execute(
                select(blog.post_tags.c.post_id, blog.Tag.name)
                .join(blog.Tag, blog.Tag.id == blog.post_tags.c.tag_id)
                .where(blog.post_tags.c.post_id.in_([post.id for post in posts])))).all()
            tags: dict[int, list[str]] = defaultdict(list)
            for post_id, name in tag_rows:
                tags[post_id].append(name)
            for post_id, author_id, title in posts:
                posts_by_author[author_id].append({"id": post_id, "title": title, "tags": sorted(tags[post_id])})
        return [{"id": author_id, "name": name, "posts": posts_by_author[author_id]} for author_id, name in authors]

    return app
