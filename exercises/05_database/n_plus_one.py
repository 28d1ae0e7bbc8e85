"""Exercise n_plus_one: list authors with their posts and tags in a few queries, whatever the page size.

The whole task, in your language: `task("n_plus_one")` in the notebook, or `perflab task n_plus_one`
in a terminal. `perflab check n_plus_one` checks this file.
"""

from collections.abc import AsyncIterator

from fastapi import Depends, FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from perflab.lab import blog


def create_app(sessions: async_sessionmaker[AsyncSession]) -> FastAPI:
    """Return an app whose ``GET /authors`` lists the first ``limit`` authors with their posts and tags.

    Args:
        sessions: Makes a session on the blog's database; one per request.
    """
    app = FastAPI(title="blog")

    async def get_session() -> AsyncIterator[AsyncSession]:
        async with sessions() as session:
            yield session

    @app.get("/authors")
    async def list_authors(limit: int = 20, session: AsyncSession = Depends(get_session)) -> list[dict]:
        authors = (await session.scalars(select(blog.Author).order_by(blog.Author.id).limit(limit))).all()
        page = []
        for author in authors:
            posts = []
            # TODO: each `await ...awaitable_attrs` below is one more query: one per author for the
            # posts, one per post for the tags. Load them with the authors, in a fixed few queries.
            for post in await author.awaitable_attrs.posts:
                tags = await post.awaitable_attrs.tags
                posts.append({"id": post.id, "title": post.title, "tags": sorted(tag.name for tag in tags)})
            page.append({"id": author.id, "name": author.name, "posts": posts})
        return page

    return app
