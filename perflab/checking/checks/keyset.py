"""Checks for the exercise "keyset": ``GET /posts`` walks every post once, and a deep page costs a seek.

Each check draws posts of its own into a scratch SQLite file (ids out of order, many posts on one
``created_at``, some with microseconds), hands the learner's ``create_app`` sessions on it, and
follows ``next`` from page to page. The check knows every row, so it knows each page exactly:
the ``limit`` posts after the last one the reader has seen, in ``(created_at, id)`` order, at the
moment of the request. What a page costs is counted in steps of SQLite's virtual machine, not timed.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx

from perflab.checking.checks._blog_db import (STEP, change_blog, close_blog, drawn, open_blog, read_cost, reference_cost,
                                               seen_since)
from perflab.checking.checks._inprocess import learner_client, where_learner_runs
from perflab.checking.checks._pool_use import require_own_session
from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.i18n import _, ngettext

__all__ = ["CHECKS", "COST_FACTOR", "page_after"]

SIGNATURE = "def create_app(sessions) -> FastAPI"
DEFAULT_LIMIT = 20
WALK_POSTS = 240  # the walks: 10 to 50 pages; at the default limit, 12 full pages, and no post after the last
COST_POSTS = 3000  # the cost check: deep enough that an offset reads hundreds of rows to throw away
# A page may cost this many times a seek to the same place, plus COST_SLACK. On SQLite, counted in steps of
# STEP instructions: a seek for 20 posts takes 19 steps on page 1 and 29-30 deep; an offset at depth 2,000
# about 620, a WHERE created_at > c OR (created_at = c AND id > i), which SQLite cannot seek, about 1,200, and
# reading all 3,000 rows 2,100. Fetching one post more than the page, to decide `next`, costs 1-2 steps.
# On PostgreSQL, in rows that the plan's scans read: a seek reads the page and one more row; an offset at
# depth 2,000 reads 2,000 more.
COST_FACTOR = 3
COST_SLACK = 10

Key = tuple[datetime, int]


def _key(row: dict[str, Any]) -> Key:
    return row["created_at"], row["id"]


def _item(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "title": row["title"], "created_at": row["created_at"].isoformat()}


def page_after(rows: dict[int, dict[str, Any]], after: Key | None, limit: int) -> list[dict[str, Any]]:
    """Return the page a keyset reader gets: the ``limit`` posts after ``after``, as JSON items.

    Args:
        rows: The posts in the database now, by id.
        after: The key of the last post read, or None for the first page.
        limit: How many posts a page holds.
    """
    later = sorted((row for row in rows.values() if after is None or _key(row) > after), key=_key)
    return [_item(row) for row in later[:limit]]


def _request(limit: int | None, cursor: str | None) -> str:
    params = [f"cursor={cursor}"] if cursor is not None else []
    params += [f"limit={limit}"] if limit is not None else []
    return "GET /posts" + ("?" + "&".join(params) if params else "")


class _Feed:
    """Drawn posts, the learner's app over them, and what reached the database since the last request."""

    def __init__(self, ns: Namespace, token: str, sessions: Any, rows: list[dict[str, Any]]) -> None:
        self.ns, self.token, self.sessions = ns, token, sessions
        self.rows = {row["id"]: row for row in rows}
        self.client: httpx.AsyncClient | None = None
        self.apps = AsyncExitStack()
        self.wrote = False
        self.read: set[int] = set()  # the posts the current walk has read

    async def new_app(self) -> None:
        """Build the learner's app afresh, as a restarted server would: nothing it kept survives."""
        await self.apps.aclose()
        self.client = await self.apps.enter_async_context(learner_client(self.ns, "create_app", SIGNATURE,
                                                                         self.sessions))

    async def get(self, limit: int | None, cursor: str | None) -> tuple[dict[str, Any], dict[str, Any]]:
        """Return the JSON of one page request and what reached the database for it; fail on a malformed answer."""
        assert self.client is not None
        await where_learner_runs(self.ns, seen_since, self.token)
        params = {key: value for key, value in (("cursor", cursor), ("limit", limit)) if value is not None}
        response = await self.client.get("/posts", params=params)
        seen = await where_learner_runs(self.ns, seen_since, self.token)
        shown = self.shown(limit, cursor)
        if response.status_code != 200:
            raise CheckFailed(_("GET /posts answered {status}, not 200.", status=response.status_code),
                              input=shown, expected=200, actual=response.text[:300])
        answer = response.json()
        if not isinstance(answer, dict) or set(answer) != {"items", "next"} or not isinstance(answer["items"], list) \
                or not (answer["next"] is None or isinstance(answer["next"], str)):
            raise CheckFailed(_('The answer must be `{"items": [...], "next": ...}`, with `next` a string or null, '
                                "as the stub makes it."), input=shown, expected='{"items": [...], "next": "..." | null}',
                              actual=str(answer)[:300])
        require_own_session(seen, shown)
        return answer, seen

    def shown(self, limit: int | None, cursor: str | None) -> str:
        """Return how a request is shown in a report, saying whether others had written before it."""
        request = _request(limit, cursor)
        return _("{request}, after another client wrote new posts between the pages", request=request) \
            if self.wrote else request

    async def write(self, after: Key) -> None:
        """Write posts as another client would: some sort before ``after``, some after it, some tie with it."""
        created_at, last_id = after
        taken = set(self.rows)

        def free_id(low: int, high: int) -> int | None:
            choices = [i for i in random.sample(range(low, high), min(50, high - low)) if i not in taken]
            return choices[0] if choices else None

        moments = {"tie_before": (created_at, free_id(1, last_id)),
                   "tie_after": (created_at, free_id(last_id + 1, last_id + 5000)),
                   "earlier": (created_at - timedelta(minutes=random.randint(1, 500)), free_id(1, 10**7)),
                   "later": (created_at + timedelta(minutes=random.randint(0, 50), microseconds=random.randint(1, 999)),
                             free_id(1, 10**7))}
        new = []
        for kind in random.sample(sorted(moments), 2):
            moment, post_id = moments[kind]
            if post_id is not None and post_id not in taken:
                taken.add(post_id)
                new.append({"id": post_id, "author_id": next(iter(self.rows.values()))["author_id"],
                            "title": f"new post {post_id}", "created_at": moment})
        await where_learner_runs(self.ns, change_blog, self.token, new)
        self.rows.update((row["id"], row) for row in new)
        self.wrote = True


@asynccontextmanager
async def _feed(ns: Namespace, size: int) -> AsyncIterator[_Feed]:
    """Yield ``size`` newly drawn posts with the learner's app over them; remove their database afterwards."""
    seed, token = random.randrange(2**32), secrets.token_hex(8)
    sessions = await where_learner_runs(ns, open_blog, seed, token, "feed", size)
    feed = _Feed(ns, token, sessions, drawn("feed", seed, size).posts)
    try:
        await feed.new_app()
        yield feed
    finally:
        await feed.apps.aclose()
        await where_learner_runs(ns, close_blog, token)


def _wrong_page(feed: _Feed, items: list[Any], expected: list[dict[str, Any]], after: Key | None, limit: int) -> str:
    """Say how a page differs from the one a keyset reader gets."""
    ids = [item.get("id") if isinstance(item, dict) else item for item in items]
    again = [i for i in ids if i in feed.read]
    if again and feed.wrote:
        return _("Post {id} came again on a later page. With an offset, a post written before the reader's place "
                 "shifts the rows, and the page repeats one: the cursor must say which post the page ended at.",
                 id=again[0])
    if again:
        return _("Post {id} came again on a later page: the next page must start right after the last post of "
                 "this one, by (created_at, id).", id=again[0])
    if len(ids) > limit:
        return ngettext("The page holds {n} post, but `limit` is {limit}.",
                        "The page holds {n} posts, but `limit` is {limit}.", len(ids), limit=limit)
    if ids == [item["id"] for item in expected[:len(ids)]] and len(ids) < len(expected):
        return _("The page has fewer posts than `limit`, though more come after it.")
    skipped = [item for item in expected if item["id"] not in ids]
    if skipped and items:
        if after is not None and skipped[0]["created_at"] == after[0].isoformat():
            return _("Post {id} was skipped: it has the same created_at as another post, and the cursor must tell "
                     "them apart. Compare (created_at, id), both columns of the sort, not created_at alone.",
                     id=skipped[0]["id"])
        return _("Post {id} was skipped: the page must hold the `limit` posts that come right after the previous "
                 "page, by created_at and then id.", id=skipped[0]["id"])
    return _('The page must hold the next `limit` posts after the previous page, by created_at and then id, each '
             '`{"id", "title", "created_at"}` exactly as the stub makes it.')


Walked = tuple[int, str | None, Key | None]  # pages read, and the cursor and key after the last one


async def _walk(feed: _Feed, limits: Iterator[int | None], between: Callable[[Key], Awaitable[None]] | None = None,
                restart_at: int = -1, depth: int | None = None) -> Walked:
    """Follow ``next`` from the first page; fail at the first page that is not the right one.

    Args:
        feed: The posts and the app.
        limits: The ``limit`` of each request, None for no parameter.
        between: What happens between two pages, given the key of the last post read. Defaults to nothing.
        restart_at: Before which page the app is built afresh. Defaults to never.
        depth: Stop once this many posts are read. Defaults to None: at the last page.
    """
    cursor: str | None = None
    after: Key | None = None
    feed.read = set()
    for number in range(len(feed.rows) + 3):
        if number == restart_at:
            await feed.new_app()
        limit = next(limits)
        answer, _seen = await feed.get(limit, cursor)
        expected = _require_page(feed, answer, after, limit, cursor)
        if answer["next"] is None:
            return number + 1, None, after
        feed.read.update(item["id"] for item in expected)
        cursor, after = answer["next"], _key(feed.rows[expected[-1]["id"]])
        if depth is not None and len(feed.read) >= depth:
            return number + 1, cursor, after
        if between is not None:
            await between(after)
    raise CheckFailed(_("Following `next` never ends: every page has a cursor."), input="GET /posts …",
                      expected=_("`next: null` on the last page"), actual=str(cursor)[:100])


def _require_page(feed: _Feed, answer: dict[str, Any], after: Key | None, limit: int | None,
                  cursor: str | None) -> list[dict[str, Any]]:
    """Fail unless ``answer`` is the page after ``after`` and its ``next`` is right; return its items."""
    size = DEFAULT_LIMIT if limit is None else limit
    expected = page_after(feed.rows, after, size)
    shown = feed.shown(limit, cursor)
    if answer["items"] != expected:
        raise CheckFailed(_wrong_page(feed, answer["items"], expected, after, size), input=shown,
                          expected=expected[:3], actual=answer["items"][:3])
    more = bool(expected) and bool(page_after(feed.rows, _key(feed.rows[expected[-1]["id"]]), 1))
    if answer["next"] is None and more:
        raise CheckFailed(_("`next` is null, but more posts come after this page: the reader stops early."),
                          input=shown, expected=_("a cursor"), actual="null")
    if answer["next"] is not None and not more:
        raise CheckFailed(_("`next` must be null when no post comes after the page, so that the reader knows it has "
                            "read everything without asking for an empty page."),
                          input=shown, expected="null", actual=answer["next"])
    return expected


def _limits(*choices: int | None) -> Iterator[int | None]:
    while True:
        yield random.choice(choices)


async def walks_every_post_once(ns: Namespace) -> None:
    """Fail unless following `next` gives every post once, in order, with any limit, across a restart of the app.

    Args:
        ns: The learner's objects.
    """
    async with _feed(ns, WALK_POSTS) as feed:
        pages, _cursor, _after = await _walk(feed, _limits(*random.sample(range(5, 30), 3)))
        await _walk(feed, _limits(None), restart_at=random.randint(1, max(1, pages // 2)))


async def keeps_its_place_while_others_write(ns: Namespace) -> None:
    """Fail unless a walk gets every post once while new ones are written between its pages.

    Args:
        ns: The learner's objects.
    """
    async with _feed(ns, WALK_POSTS) as feed:
        await _walk(feed, _limits(random.randint(8, 20)), between=feed.write)


async def a_deep_page_costs_a_seek(ns: Namespace) -> None:
    """Fail unless the first page, and a page deep in the table, cost the database what a seek to each place costs.

    Args:
        ns: The learner's objects.
    """
    async with _feed(ns, COST_POSTS) as feed:
        limit = random.randint(15, 40)
        await _page_costs_a_seek(feed, limit, None, None, 0)
        depth = random.randint(COST_POSTS * 2 // 3, COST_POSTS * 9 // 10)
        _pages, cursor, after = await _walk(feed, _limits(*random.sample(range(200, 300), 3)), depth=depth)
        read = sum(1 for row in feed.rows.values() if after is not None and _key(row) <= after)
        await _page_costs_a_seek(feed, limit, cursor, after, read)


async def _page_costs_a_seek(feed: _Feed, limit: int, cursor: str | None, after: Key | None, depth: int) -> None:
    """Fail unless the page after ``after`` is right and costs at most COST_FACTOR seeks to the same place."""
    answer, seen = await feed.get(limit, cursor)
    _require_page(feed, answer, after, limit, cursor)
    cost = await where_learner_runs(feed.ns, read_cost, feed.token, seen)
    seek = await where_learner_runs(feed.ns, reference_cost, feed.token, after, limit)
    if cost > COST_FACTOR * seek + COST_SLACK:
        where = ngettext("The page after the first {n:,} post", "The page after the first {n:,} posts",
                         depth) if depth else _("The first page")
        if seen["dialect"] == "sqlite":
            counted = ngettext("{n:,} step of SQLite's virtual machine ({step} instructions each)",
                               "{n:,} steps of SQLite's virtual machine ({step} instructions each)", cost, step=STEP)
        else:
            counted = ngettext("{n:,} row read, as EXPLAIN ANALYZE counts them",
                               "{n:,} rows read, as EXPLAIN ANALYZE counts them", cost)
        raise CheckFailed(
            _("{page} cost the database {counted}, and a seek to the same place costs {seek:,}. The database reads "
              "rows it does not answer: with OFFSET it reads and throws away every row before the page, and a WHERE "
              "that the index on (created_at, id) cannot answer reads them too. Ask for the posts after a row value, "
              "`tuple_(created_at, id) > (...)`.", page=where, counted=counted, seek=seek),
            input=feed.shown(limit, cursor), expected=_("at most {most:,}", most=COST_FACTOR * seek + COST_SLACK),
            actual=f"{cost}")


CHECKS = [
    Check(title="gives every post once, in order, page by page", run=walks_every_post_once),
    Check(title="keeps its place while others write new posts", run=keeps_its_place_while_others_write),
    Check(title="costs a seek on a deep page, not a scan", run=a_deep_page_costs_a_seek),
]
