"""The blog of chapter 05's exercises: authors, their posts and the posts' tags, in SQLAlchemy models.

The tables' names start with ``perflab_blog_``, so the course never touches a learner's own tables.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import BigInteger, Column, ForeignKey, Index, String, Table, insert
from sqlalchemy.ext.asyncio import AsyncAttrs, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from perflab.lab.engines import sql_engine

__all__ = ["Author", "BlogBase", "BlogData", "Post", "Tag", "draw_blog", "draw_feed", "fill_blog", "sample_blog",
           "sample_feed"]


class BlogBase(AsyncAttrs, DeclarativeBase):
    """The blog's declarative base: ``awaitable_attrs`` on every model."""


# BIGINT keys: in SQLite only an INTEGER PRIMARY KEY is the rowid, so with BIGINT a query without
# ORDER BY gets the rows in the order they were written (drawn at random), not by id, as on a server.
Key = BigInteger


post_tags = Table(
    "perflab_blog_post_tags", BlogBase.metadata,
    Column("post_id", Key, ForeignKey("perflab_blog_posts.id"), primary_key=True),
    Column("tag_id", Key, ForeignKey("perflab_blog_tags.id"), primary_key=True),
)


class Author(BlogBase):
    """An author, with posts in the order of their ids."""

    __tablename__ = "perflab_blog_authors"
    id: Mapped[int] = mapped_column(Key, primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    posts: Mapped[list[Post]] = relationship(back_populates="author", order_by="Post.id")


class Post(BlogBase):
    """A post by one author, with any number of tags."""

    __tablename__ = "perflab_blog_posts"
    __table_args__ = (Index("perflab_ix_blog_posts_created_id", "created_at", "id"),)  # for keyset pages
    id: Mapped[int] = mapped_column(Key, primary_key=True)
    author_id: Mapped[int] = mapped_column(Key, ForeignKey("perflab_blog_authors.id"))
    title: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime]
    author: Mapped[Author] = relationship(back_populates="posts")
    tags: Mapped[list[Tag]] = relationship(secondary=post_tags)


class Tag(BlogBase):
    """A tag, such as "sql"; its name is unique."""

    __tablename__ = "perflab_blog_tags"
    id: Mapped[int] = mapped_column(Key, primary_key=True)
    name: Mapped[str] = mapped_column(String(30), unique=True)


@dataclass(frozen=True)
class BlogData:
    """Rows for the blog's tables, as dicts ready for ``insert()``."""

    authors: list[dict[str, object]]
    posts: list[dict[str, object]]
    tags: list[dict[str, object]]
    post_tags: list[dict[str, object]]


_TAG_NAMES = ("sql", "async", "cache", "python", "http", "redis", "index", "pool", "json", "tests", "orm", "api")


def draw_blog(rng: random.Random, authors: int = 40, most_posts: int = 6, most_tags: int = 3) -> BlogData:
    """Return a blog drawn with ``rng``: ids out of order and with gaps, some authors with no posts, some posts with no tags.

    Args:
        rng: The random source: the same seed gives the same blog.
        authors: How many authors. Defaults to 40.
        most_posts: The most posts one author has. Defaults to 6.
        most_tags: The most tags one post has. Defaults to 3.
    """
    tag_names = rng.sample(_TAG_NAMES, k=len(_TAG_NAMES))
    tags = [{"id": tag_id, "name": name} for tag_id, name in zip(rng.sample(range(1, 1000), len(tag_names)), tag_names)]
    short = authors // 4  # ids of 1 to 3 digits among ids of 4 and 5: their order as text differs from their order as
    # numbers ("author 123" > "author 10045"). With 5-digit ids alone, 1 blog in 70 sorted the same both ways.
    author_ids = rng.sample(range(1, 1000), short) + rng.sample(range(1000, 100_000), authors - short)
    rng.shuffle(author_ids)
    post_ids = iter(rng.sample(range(1, 1_000_000), authors * most_posts))
    start = datetime(2026, 1, 1)
    author_rows, post_rows, link_rows = [], [], []
    for author_id in author_ids:
        author_rows.append({"id": author_id, "name": f"author {author_id}"})
        for _post in range(rng.randint(0, most_posts)):
            post_id = next(post_ids)
            post_rows.append({"id": post_id, "author_id": author_id, "title": f"post {post_id}",
                              "created_at": start + timedelta(minutes=rng.randrange(100_000))})
            link_rows += [{"post_id": post_id, "tag_id": tag["id"]} for tag in rng.sample(tags, rng.randint(0, most_tags))]
    return BlogData(author_rows, post_rows, tags, link_rows)


def draw_feed(rng: random.Random, posts: int = 3000, per_minute: int = 6) -> BlogData:
    """Return a blog of many posts and no tags, drawn with ``rng``: ids out of order, ``created_at`` often tied.

    Most posts fall on a whole minute, about ``per_minute`` of them on each; one in four has microseconds.

    Args:
        rng: The random source: the same seed gives the same posts.
        posts: How many posts. Defaults to 3000.
        per_minute: How many posts share a minute, on average. Defaults to 6.
    """
    authors = [{"id": author_id, "name": f"author {author_id}"} for author_id in rng.sample(range(1, 1000), 3)]
    start = datetime(2026, 1, 1)
    rows = []
    for post_id in rng.sample(range(1, 20 * posts), posts):
        moment = start + timedelta(minutes=rng.randrange(max(1, posts // per_minute)))
        if rng.random() < 0.25:
            moment += timedelta(microseconds=rng.randrange(1, 1_000_000))
        rows.append({"id": post_id, "author_id": rng.choice(authors)["id"], "title": f"post {post_id}",
                     "created_at": moment})
    return BlogData(authors, rows, [], [])


async def fill_blog(engine: AsyncEngine, data: BlogData) -> None:
    """Create the blog's tables afresh in ``engine``'s database, and insert ``data``.

    Args:
        engine: Where the tables go. Only the ``perflab_blog_`` tables are dropped and created.
        data: The rows, from ``draw_blog``.
    """
    async with engine.begin() as conn:
        await conn.run_sync(BlogBase.metadata.drop_all)
        await conn.run_sync(BlogBase.metadata.create_all)
        for table, rows in ((Author.__table__, data.authors), (Tag.__table__, data.tags),
                            (Post.__table__, data.posts), (post_tags, data.post_tags)):
            if rows:
                await conn.execute(insert(table), rows)


async def sample_blog(seed: int = 5, name: str = "blog") -> async_sessionmaker[AsyncSession]:
    """Return sessions for a scratch database that holds a blog, to try an exercise with.

    Usage:
        sessions = await sample_blog()
        async with asgi_client(create_app(sessions)) as client:
            (await client.get("/authors", params={"limit": 3})).json()

    Args:
        seed: Which blog to draw. Defaults to 5.
        name: Which scratch database. Defaults to "blog".
    """
    engine = sql_engine(name)
    await fill_blog(engine, draw_blog(random.Random(seed)))
    return async_sessionmaker(engine, expire_on_commit=False)


async def sample_feed(seed: int = 5, posts: int = 3000) -> async_sessionmaker[AsyncSession]:
    """Return sessions for a scratch database that holds many posts, to try the exercise "keyset" with.

    Usage:
        sessions = await sample_feed()
        async with asgi_client(create_app(sessions)) as client:
            (await client.get("/posts", params={"limit": 3})).json()

    Args:
        seed: Which posts to draw. Defaults to 5.
        posts: How many. Defaults to 3000.
    """
    engine = sql_engine("feed")
    await fill_blog(engine, draw_feed(random.Random(seed), posts))
    return async_sessionmaker(engine, expire_on_commit=False)
