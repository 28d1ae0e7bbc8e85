"""The scratch blog databases of chapter 05's checks, made where the learner's code runs.

Judged, these functions run in the subject process (through ``peer.run``), so the learner's app and
the engine share one event loop; in a notebook they run on the check's own loop. Each blog has a
token; the statements that reach its database are counted with SQLAlchemy's
``before_cursor_execute`` event, the way chapter 05 counts them, and so are the connections
taken from its pool and given back. So are the steps of SQLite's virtual machine, through its
progress handler: a count that grows with the rows a statement reads, and that no clock disturbs.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from perflab.lab.blog import BlogData, Post, Tag, draw_blog, draw_feed, fill_blog, post_tags

__all__ = ["STEP", "change_blog", "close_blog", "drawn", "open_blog", "reference_steps", "seen_since"]

_BLOGS: dict[str, tuple[AsyncEngine, Path, dict[str, Any]]] = {}
STEP = 10  # the progress handler counts one step per this many virtual machine instructions


def drawn(kind: str, seed: int, size: int = 0) -> BlogData:
    """Return the rows of a drawn database: ``"blog"`` (authors, posts, tags) or ``"feed"`` (many posts).

    Args:
        kind: Which drawing.
        seed: Which one of its kind: the same seed gives the same rows.
        size: How many posts a feed has. Defaults to 0, for a blog.
    """
    rng = random.Random(seed)
    return draw_feed(rng, size) if kind == "feed" else draw_blog(rng)


def _counting(engine: AsyncEngine) -> dict[str, Any]:
    """Count what reaches ``engine``: statements, and connections taken from and given back to its pool."""
    seen: dict[str, Any] = {"statements": [], "checkouts": 0, "checkins": 0, "steps": 0, "opened": []}

    def step() -> int:
        seen["steps"] += 1
        return 0  # go on

    def opened(dbapi_connection: Any, _record: Any) -> None:
        seen["opened"].append(dbapi_connection)
        dbapi_connection.run_async(lambda connection: connection.set_progress_handler(step, STEP))

    event.listen(engine.sync_engine, "connect", opened)
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: seen["statements"].append(statement))

    def took(*_args: Any) -> None:
        seen["checkouts"] += 1

    def gave_back(*_args: Any) -> None:
        seen["checkins"] += 1

    event.listen(engine.sync_engine.pool, "checkout", took)
    event.listen(engine.sync_engine.pool, "checkin", gave_back)
    return seen


async def open_blog(seed: int, token: str, kind: str = "blog", size: int = 0) -> async_sessionmaker[AsyncSession]:
    """Draw a database into a new SQLite file, and return sessions on it.

    Args:
        seed: Which one to draw, as ``drawn(kind, seed, size)`` draws it.
        token: The database's name for the other functions here.
        kind: ``"blog"`` or ``"feed"``. Defaults to "blog".
        size: How many posts a feed has. Defaults to 0, for a blog.
    """
    folder = Path(tempfile.mkdtemp(prefix="perflab-blog-"))
    engine = create_async_engine(f"sqlite+aiosqlite:///{folder / 'blog.db'}")
    seen = _counting(engine)
    _BLOGS[token] = (engine, folder, seen)
    await fill_blog(engine, drawn(kind, seed, size))
    seen_since(token)
    return async_sessionmaker(engine, expire_on_commit=False)


def seen_since(token: str) -> dict[str, Any]:
    """Return what reached the blog's database since the last call, and start counting again.

    Args:
        token: The blog's name.
    """
    seen = _BLOGS[token][2]
    taken = {key: seen[key] for key in ("checkouts", "checkins", "steps")} | {"statements": list(seen["statements"])}
    seen["statements"].clear()
    seen["checkouts"] = seen["checkins"] = seen["steps"] = 0
    return taken


async def change_blog(token: str, posts: list[dict[str, Any]], links: list[dict[str, Any]] | None = None,
                      renamed: dict[int, str] | None = None) -> None:
    """Write to the blog as another client would between two requests: new posts and tags on them, renamed tags.

    Args:
        token: The blog's name.
        posts: New rows of ``perflab_blog_posts``.
        links: New rows of ``perflab_blog_post_tags``. Defaults to none.
        renamed: Tag ids mapped to their new names. Defaults to none.
    """
    engine = _BLOGS[token][0]
    async with engine.begin() as conn:
        for table, rows in ((Post.__table__, posts), (post_tags, links)):
            if rows:  # an insert with no rows would insert one of defaults
                await conn.execute(insert(table), rows)
        for tag_id, name in (renamed or {}).items():
            await conn.execute(update(Tag.__table__).where(Tag.__table__.c.id == tag_id).values(name=name))
    seen_since(token)  # the check's own writes are not the app's


async def reference_steps(token: str, after: tuple[Any, int] | None, limit: int) -> int:
    """Return the steps that a keyset query for the ``limit`` posts after ``after`` takes: the cost of a seek.

    Args:
        token: The database's name.
        after: The ``(created_at, id)`` of the post before the page, or None for the first page.
        limit: How many posts.
    """
    order = (Post.created_at, Post.id)
    query = select(Post).order_by(*order).limit(limit)
    if after is not None:
        query = query.where(tuple_(*order) > after)
    engine = _BLOGS[token][0]
    seen_since(token)
    async with engine.connect() as conn:
        (await conn.execute(query)).all()
    return seen_since(token)["steps"]


async def close_blog(token: str) -> None:
    """Close the blog's connections and delete its file.

    Args:
        token: The blog's name.
    """
    engine, folder, seen = _BLOGS.pop(token)
    await engine.dispose()
    for connection in seen["opened"]:  # one a session never gave back still has a thread: end it too
        with contextlib.suppress(Exception):
            await connection.driver_connection.close()
    shutil.rmtree(folder, ignore_errors=True)
