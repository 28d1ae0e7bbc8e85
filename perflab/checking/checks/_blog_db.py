"""The scratch blog database of the "n_plus_one" checks, made where the learner's code runs.

Judged, these functions run in the subject process (through ``peer.run``), so the learner's app and
the engine share one event loop; in a notebook they run on the check's own loop. Each blog has a
token; the statements that reach its database are counted with SQLAlchemy's
``before_cursor_execute`` event, the way chapter 05 counts them, and so are the connections
taken from its pool and given back.
"""

from __future__ import annotations

import contextlib
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, update
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from perflab.lab.blog import Post, Tag, draw_blog, fill_blog, post_tags

__all__ = ["change_blog", "close_blog", "open_blog", "seen_since"]

_BLOGS: dict[str, tuple[AsyncEngine, Path, dict[str, Any]]] = {}


def _counting(engine: AsyncEngine) -> dict[str, Any]:
    """Count what reaches ``engine``: statements, and connections taken from and given back to its pool."""
    seen: dict[str, Any] = {"statements": [], "checkouts": 0, "checkins": 0, "opened": []}
    event.listen(engine.sync_engine, "connect", lambda dbapi_connection, record: seen["opened"].append(dbapi_connection))
    event.listen(engine.sync_engine, "before_cursor_execute",
                 lambda conn, cursor, statement, *rest: seen["statements"].append(statement))

    def took(*_args: Any) -> None:
        seen["checkouts"] += 1

    def gave_back(*_args: Any) -> None:
        seen["checkins"] += 1

    event.listen(engine.sync_engine.pool, "checkout", took)
    event.listen(engine.sync_engine.pool, "checkin", gave_back)
    return seen


async def open_blog(seed: int, token: str) -> async_sessionmaker[AsyncSession]:
    """Draw the blog of ``seed`` into a new SQLite file, and return sessions on it.

    Args:
        seed: Which blog to draw, as ``draw_blog(random.Random(seed))`` draws it.
        token: The blog's name for the other functions here.
    """
    folder = Path(tempfile.mkdtemp(prefix="perflab-n-plus-one-"))
    engine = create_async_engine(f"sqlite+aiosqlite:///{folder / 'blog.db'}")
    await fill_blog(engine, draw_blog(random.Random(seed)))
    _BLOGS[token] = (engine, folder, _counting(engine))
    return async_sessionmaker(engine, expire_on_commit=False)


def seen_since(token: str) -> dict[str, Any]:
    """Return what reached the blog's database since the last call, and start counting again.

    Args:
        token: The blog's name.
    """
    seen = _BLOGS[token][2]
    taken = {"statements": list(seen["statements"]), "checkouts": seen["checkouts"], "checkins": seen["checkins"]}
    seen["statements"].clear()
    seen["checkouts"] = seen["checkins"] = 0
    return taken


async def change_blog(token: str, posts: list[dict[str, Any]], links: list[dict[str, Any]],
                      renamed: dict[int, str]) -> None:
    """Write to the blog as another client would between two requests: new posts and tags on them, renamed tags.

    Args:
        token: The blog's name.
        posts: New rows of ``perflab_blog_posts``.
        links: New rows of ``perflab_blog_post_tags``.
        renamed: Tag ids mapped to their new names.
    """
    engine = _BLOGS[token][0]
    async with engine.begin() as conn:
        await conn.execute(insert(Post.__table__), posts)
        await conn.execute(insert(post_tags), links)
        for tag_id, name in renamed.items():
            await conn.execute(update(Tag.__table__).where(Tag.__table__.c.id == tag_id).values(name=name))
    seen_since(token)  # the check's own writes are not the app's


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
