"""Checks for the exercise "n_plus_one": ``GET /authors`` lists a page of authors, posts and tags in a few queries.

Each check draws a blog of its own (ids out of order and with gaps, authors with no posts, posts
with no tags) into a scratch SQLite file, hands the learner's ``create_app`` sessions on it, and
counts the statements that reach the database. Nothing is timed: a count is exact.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import httpx

from perflab.checking.checks._blog_db import change_blog, close_blog, drawn, open_blog, seen_since
from perflab.checking.checks._inprocess import learner_client, where_learner_runs
from perflab.checking.checks._pool_use import require_own_session
from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.i18n import _, ngettext
from perflab.lab.blog import BlogData

__all__ = ["CHECKS", "MOST_QUERIES"]

# The page, its authors' posts, and those posts' tags: 3 with selectinload, 1 with joins. 4 leaves
# room for one more (an author count, say) and still fails a loop over any page of 2 or more authors.
MOST_QUERIES = 4
SIGNATURE = "def create_app(sessions) -> FastAPI"
DEFAULT_LIMIT = 20


def expected_page(blog: BlogData, limit: int) -> list[dict[str, Any]]:
    """Return the answer of ``GET /authors?limit=...`` for ``blog``, built from its rows, not from a query.

    Args:
        blog: The drawn rows.
        limit: How many authors.
    """
    names = {tag["id"]: tag["name"] for tag in blog.tags}
    tags_of: dict[object, list[str]] = {}
    for link in blog.post_tags:
        tags_of.setdefault(link["post_id"], []).append(names[link["tag_id"]])
    posts_of: dict[object, list[dict[str, Any]]] = {}
    for post in sorted(blog.posts, key=lambda row: row["id"]):
        posts_of.setdefault(post["author_id"], []).append(
            {"id": post["id"], "title": post["title"], "tags": sorted(tags_of.get(post["id"], []))})
    authors = sorted(blog.authors, key=lambda row: row["id"])[:limit]
    return [{"id": a["id"], "name": a["name"], "posts": posts_of.get(a["id"], [])} for a in authors]


class _Blog:
    """A drawn blog, the learner's app over it, and the statements counted since the last request."""

    def __init__(self, ns: Namespace, data: BlogData, token: str, client: httpx.AsyncClient) -> None:
        self.ns, self.data, self.token, self.client = ns, data, token, client
        self.changed = False

    async def page(self, limit: int | None) -> tuple[Any, dict[str, Any]]:
        """Return the JSON of ``GET /authors`` with ``limit`` (None: no parameter), and what reached the database."""
        await where_learner_runs(self.ns, seen_since, self.token)
        response = await self.client.get("/authors", params={} if limit is None else {"limit": limit})
        seen = await where_learner_runs(self.ns, seen_since, self.token)
        if response.status_code != 200:
            raise CheckFailed(_("GET /authors answered {status}, not 200.", status=response.status_code),
                              input=self.request(limit), expected=200, actual=response.text[:300])
        return response.json(), seen

    async def change(self) -> None:
        """Write as another client would: a new post with two tags for the first author, and two tags renamed."""
        first = min(author["id"] for author in self.data.authors)
        taken = {post["id"] for post in self.data.posts}
        post_id = random.choice([i for i in range(1, 2_000_000, 7919) if i not in taken])
        post = {"id": post_id, "author_id": first, "title": f"post {post_id}", "created_at": datetime(2026, 6, 1)}
        tags = random.sample(self.data.tags, 2)
        links = [{"post_id": post_id, "tag_id": tag["id"]} for tag in tags]
        renamed = {tag["id"]: f"{tag['name']}-{secrets.token_hex(2)}" for tag in random.sample(self.data.tags, 2)}
        await where_learner_runs(self.ns, change_blog, self.token, [post], links, renamed)
        self.data = dataclasses.replace(
            self.data, posts=[*self.data.posts, post], post_tags=[*self.data.post_tags, *links],
            tags=[{**tag, "name": renamed.get(tag["id"], tag["name"])} for tag in self.data.tags])
        self.changed = True

    def request(self, limit: int | None) -> str:
        """Return how a request is shown in a report, saying whether the data had changed before it."""
        shown = _request(limit)
        return _("{request}, after another client added a post and renamed two tags", request=shown) \
            if self.changed else shown

    async def require_page(self, limit: int | None) -> dict[str, Any]:
        """Fail unless ``GET /authors`` answers the right page; return what reached the database."""
        answer, seen = await self.page(limit)
        expected = expected_page(self.data, DEFAULT_LIMIT if limit is None else limit)
        if answer != expected:
            raise CheckFailed(_wrong_page(answer, expected), input=self.request(limit),
                              expected=expected[:2], actual=answer[:2] if isinstance(answer, list) else answer)
        return seen


def _request(limit: int | None) -> str:
    return "GET /authors" if limit is None else f"GET /authors?limit={limit}"


def _wrong_page(answer: Any, expected: list[dict[str, Any]]) -> str:
    if not isinstance(answer, list) or len(answer) != len(expected):
        return ngettext("The answer must list the first {n} author by id.",
                        "The answer must list the first {n} authors by id.", len(expected))
    for got, want in zip(answer, expected):
        if got != want:
            return _("Author {id}'s entry differs from the database's rows: the JSON answer must stay exactly as "
                     "the stub makes it, each post in the order of its id, each post's tag names sorted.",
                     id=want["id"])
    return _("The answer differs from the database's rows.")


@asynccontextmanager
async def _blog(ns: Namespace) -> AsyncIterator[_Blog]:
    """Yield a newly drawn blog with the learner's app over it; remove its database afterwards."""
    seed, token = random.randrange(2**32), secrets.token_hex(8)
    sessions = await where_learner_runs(ns, open_blog, seed, token)
    try:
        async with learner_client(ns, "create_app", SIGNATURE, sessions) as client:
            yield _Blog(ns, drawn("blog", seed), token, client)
    finally:
        await where_learner_runs(ns, close_blog, token)


async def answers_the_page(ns: Namespace) -> None:
    """Fail unless GET /authors answers the first `limit` authors by id, with their posts and tags, as the stub does.

    Args:
        ns: The learner's objects.
    """
    async with _blog(ns) as blog:
        authors = len(blog.data.authors)
        for limit in (1, random.randint(2, 9), None, authors + random.randint(1, 50)):
            await blog.require_page(limit)
        await blog.change()  # an app that keeps answers or tag names from the first requests now answers stale data
        for limit in (1, random.randint(2, 9), None):
            await blog.require_page(limit)


async def few_queries_at_every_page_size(ns: Namespace) -> None:
    """Fail unless every page, of 1 author or of all of them, takes at most MOST_QUERIES queries.

    Args:
        ns: The learner's objects.
    """
    async with _blog(ns) as blog:
        counts = {}
        for limit in (1, random.randint(3, 9), len(blog.data.authors)):
            counts[limit] = len((await blog.require_page(limit))["statements"])
        if max(counts.values()) > MOST_QUERIES:
            shown = ", ".join(f"limit={limit}: {count}" for limit, count in counts.items())
            raise CheckFailed(
                ngettext("The route runs more queries for a bigger page ({counts}). Load the posts and their tags "
                         "together with the authors, so that any page takes at most {n} query.",
                         "The route runs more queries for a bigger page ({counts}). Load the posts and their tags "
                         "together with the authors, so that any page takes at most {n} queries.",
                         MOST_QUERIES, counts=shown),
                input=", ".join(_request(limit) for limit in counts), expected=f"≤ {MOST_QUERIES}", actual=shown)


async def one_session_per_request(ns: Namespace) -> None:
    """Fail unless each request takes a connection through a session of its own and gives it back, even eight at once.

    Args:
        ns: The learner's objects.
    """
    async with _blog(ns) as blog:
        for limit in random.sample(range(1, len(blog.data.authors) + 1), 3):
            seen = await blog.require_page(limit)
            require_own_session(seen, _request(limit))
        limits = random.sample(range(1, len(blog.data.authors) + 1), 8)
        answers = await asyncio.gather(*(blog.page(limit) for limit in limits), return_exceptions=True)
        for limit, answer in zip(limits, answers):
            if isinstance(answer, CheckFailed):
                raise answer
            if isinstance(answer, BaseException) or answer[0] != expected_page(blog.data, limit):
                raise CheckFailed(_("With eight requests at once, one got a wrong answer. Each request needs a session "
                                    "of its own, from `sessions`: one AsyncSession must never serve two requests at "
                                    "once."), input=_("8 requests at once, limits {limits}", limits=limits),
                                  expected=_("every page right"), actual=repr(answer)[:300])


CHECKS = [
    Check(title="answers each page exactly as the stub does", run=answers_the_page),
    Check(title="runs the same few queries for a page of any size", run=few_queries_at_every_page_size),
    Check(title="gives each request a session of its own", run=one_session_per_request),
]
