"""The scratch blog databases of chapter 05's checks, made where the learner's code runs.

Judged, these functions run in the subject process (through ``peer.run``), so the learner's app and
the engine share one event loop; in a notebook they run on the check's own loop. Each blog has a
token; the statements that reach its database are counted with SQLAlchemy's
``before_cursor_execute`` event, the way chapter 05 counts them, and so are the connections
taken from its pool and given back. So are the steps of SQLite's virtual machine, through its
progress handler: a count that grows with the rows a statement reads, and that no clock disturbs.

When ``DATABASE_URL`` points at PostgreSQL, as chapter 05 can, each database is a schema of its
own, ``perflab_check_<token>``, first on its connections' search path, and dropped afterwards;
nothing else in that database is touched. What a query reads there is counted by ``EXPLAIN ANALYZE``: the rows
each scan of its plan went through.
"""

from __future__ import annotations

import contextlib
import json
import random
import shutil
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, text, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from perflab.lab.blog import BlogData, Post, Tag, draw_blog, draw_feed, fill_blog, post_tags
from perflab.lab.engines import database_url

__all__ = ["STEP", "change_blog", "close_blog", "drawn", "open_blog", "read_cost", "reference_cost", "seen_since"]

_BLOGS: dict[str, tuple[AsyncEngine, Path | str, dict[str, Any]]] = {}  # the engine, its file or schema, counts
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
    seen: dict[str, Any] = {"statements": [], "executed": [], "checkouts": 0, "checkins": 0, "steps": 0, "opened": [],
                            "dialect": engine.dialect.name}

    def step() -> int:
        seen["steps"] += 1
        return 0  # go on

    def opened(dbapi_connection: Any, _record: Any) -> None:
        seen["opened"].append(dbapi_connection)
        if engine.dialect.name == "sqlite":
            dbapi_connection.run_async(lambda connection: connection.set_progress_handler(step, STEP))

    def executed(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        seen["statements"].append(statement)
        seen["executed"].append((statement, parameters))

    event.listen(engine.sync_engine, "connect", opened)
    event.listen(engine.sync_engine, "before_cursor_execute", executed)

    def took(*_args: Any) -> None:
        seen["checkouts"] += 1

    def gave_back(*_args: Any) -> None:
        seen["checkins"] += 1

    event.listen(engine.sync_engine.pool, "checkout", took)
    event.listen(engine.sync_engine.pool, "checkin", gave_back)
    return seen


async def open_blog(seed: int, token: str, kind: str = "blog", size: int = 0) -> async_sessionmaker[AsyncSession]:
    """Draw a database into a new SQLite file, or a new schema on PostgreSQL, and return sessions on it.

    Args:
        seed: Which one to draw, as ``drawn(kind, seed, size)`` draws it.
        token: The database's name for the other functions here.
        kind: ``"blog"`` or ``"feed"``. Defaults to "blog".
        size: How many posts a feed has. Defaults to 0, for a blog.
    """
    place: Path | str
    if await _schema_made(f"perflab_check_{token}"):
        place = f"perflab_check_{token}"
        # The schema first on the search path: the models' tables and a learner's plain SQL both land in it.
        engine = create_async_engine(database_url(), connect_args={"server_settings": {"search_path": place}})
    else:
        place = Path(tempfile.mkdtemp(prefix="perflab-blog-"))
        engine = create_async_engine(f"sqlite+aiosqlite:///{place / 'blog.db'}")
    seen = _counting(engine)
    _BLOGS[token] = (engine, place, seen)
    await fill_blog(engine, drawn(kind, seed, size))
    seen_since(token)
    return async_sessionmaker(engine, expire_on_commit=False)


def seen_since(token: str) -> dict[str, Any]:
    """Return what reached the blog's database since the last call, and start counting again.

    Args:
        token: The blog's name.
    """
    seen = _BLOGS[token][2]
    taken = {key: seen[key] for key in ("checkouts", "checkins", "steps", "dialect")} | {
        "statements": list(seen["statements"]), "executed": list(seen["executed"])}
    seen["statements"].clear()
    seen["executed"].clear()
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


async def reference_cost(token: str, after: tuple[Any, int] | None, limit: int) -> int:
    """Return what a keyset query for the ``limit`` posts after ``after`` costs, as ``read_cost`` counts: a seek.

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
    return await read_cost(token, seen_since(token))


async def read_cost(token: str, seen: dict[str, Any]) -> int:
    """Return what the statements in ``seen`` cost the database: SQLite's steps, or the rows PostgreSQL's scans read.

    Args:
        token: The database's name.
        seen: What ``seen_since`` returned for the statements.
    """
    if seen["dialect"] == "sqlite":
        return int(seen["steps"])
    engine = _BLOGS[token][0]
    rows = 0
    async with engine.connect() as conn:
        driver = (await conn.get_raw_connection()).driver_connection
        for statement, parameters in seen["executed"]:
            if statement.lstrip().upper().startswith("SELECT"):
                plan = await driver.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {statement}", *(parameters or ()))
                plans = json.loads(plan) if isinstance(plan, str) else plan  # SQLAlchemy's json codec decodes it
                rows += _rows_scanned(plans[0]["Plan"])
    seen_since(token)  # the check's own EXPLAINs are not the app's
    return rows


def _rows_scanned(node: dict[str, Any]) -> int:
    """Return the rows that the scans in a plan node and its children went through, kept or filtered out."""
    own = 0
    if "Scan" in node["Node Type"]:
        own = int((node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * node.get("Actual Loops", 1))
    return own + sum(_rows_scanned(child) for child in node.get("Plans", []))


async def _schema_made(schema: str) -> bool:
    """Make ``schema`` when ``DATABASE_URL`` is PostgreSQL; return False when it is not, or the role may not."""
    if not database_url().startswith("postgresql"):
        return False
    try:
        await _in_postgresql(f'CREATE SCHEMA "{schema}"')
    except (DBAPIError, OSError):  # no CREATE on this database, or no server: the checks use a SQLite file
        return False
    return True


async def _in_postgresql(statement: str) -> None:
    """Run one statement on ``DATABASE_URL`` in a connection of its own."""
    admin = create_async_engine(database_url())
    try:
        async with admin.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await admin.dispose()


async def close_blog(token: str) -> None:
    """Close the blog's connections and delete its file or schema.

    Args:
        token: The blog's name.
    """
    engine, place, seen = _BLOGS.pop(token)
    await engine.dispose()
    for connection in seen["opened"]:  # one a session never gave back still has a thread or a socket: end it too
        with contextlib.suppress(Exception):
            await connection.driver_connection.close()
    if isinstance(place, Path):
        shutil.rmtree(place, ignore_errors=True)
    else:
        await _in_postgresql(f'DROP SCHEMA IF EXISTS "{place}" CASCADE')  # only the schema this check made
