"""Chapters 03 and 06 on a real Redis: they run unchanged, touch only their own ``perflab:`` keys, and leave none behind.

CI starts redis-server on 127.0.0.1 and sets ``PERFLAB_TEST_REDIS_URL`` (see ``.ci/run``). Before the
notebook runs, the database holds a learner's keys of the very shapes the chapter uses; afterwards
they must be there, unchanged, and no key of the course's may be left.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit, urlunsplit

import nbformat
import pytest
import redis
from nbclient import NotebookClient

from perflab.build.claims import claims_printed
from test_notebook_execution import CELL_TIMEOUT_S, ROOT, _printed, _with_probes


@dataclass(frozen=True)
class Learners:
    """A learner's own keys, in the shapes a chapter uses: a pattern delete or a flush would take them."""

    strings: dict[str, str]
    sets: dict[str, set[str]] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)
    commands: int = 1_000  # the least the chapter sends, to show that it ran on this server


CHAPTERS = {
    "03_caching": Learners({"v1:product:1": "mine", "v1:page:17": "[1, 2]", "v1:profile:123": "{}",
                            "perflab": "not a prefix"}, sets={"tag:user:123": {"v1:profile:123"}}),  # about 13,500
    # Celery's and taskiq's own key shapes, outside the course's prefix: a learner's real queues.
    "06_work_after_response": Learners({"celery-task-meta-1": '{"status": "SUCCESS"}', "charged:order-17": "1",
                                        "perflab": "not a prefix"},
                                       sets={"_kombu.binding.celery": {"celery"}},
                                       lists={"celery": ["a message"], "taskiq": ["a task"]}, commands=200),
}


def _plant(server: redis.Redis, keys: Learners) -> None:
    server.mset(keys.strings)
    for name, members in keys.sets.items():
        server.sadd(name, *members)
    for name, items in keys.lists.items():
        server.rpush(name, *items)


def _intact(server: redis.Redis, keys: Learners) -> bool:
    return (server.mget(list(keys.strings)) == list(keys.strings.values())
            and all(server.smembers(name) == members for name, members in keys.sets.items())
            and all(server.lrange(name, 0, -1) == items for name, items in keys.lists.items()))


def _redis_url() -> str:
    url = os.environ.get("PERFLAB_TEST_REDIS_URL", "")
    if not url and os.environ.get("CI"):
        pytest.fail("CI must start redis-server and set PERFLAB_TEST_REDIS_URL (see .ci/run)")
    if not url:
        pytest.skip("no Redis: set PERFLAB_TEST_REDIS_URL=redis://127.0.0.1:6379/0")
    return url


def _own_database(url: str, chapter: str) -> str:
    """Return ``url`` with a database number of the chapter's own.

    The notebooks run two at a time, and each test asserts that no course key is left in its
    database, which the other chapter's keys would break.
    """
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{1 + list(CHAPTERS).index(chapter)}"))


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("chapter", list(CHAPTERS))
def test_a_chapter_runs_twice_on_redis_and_leaves_the_learners_keys_alone(chapter: str,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    url, keys = _own_database(_redis_url(), chapter), CHAPTERS[chapter]
    server = redis.Redis.from_url(url, decode_responses=True)
    _plant(server, keys)
    try:
        commands_before = server.info("stats")["total_commands_processed"]
        monkeypatch.setenv("REDIS_URL", url)  # the kernel starts with it
        nb = _with_probes([nbformat.read(ROOT / "notebooks" / lang / f"{chapter}.ipynb", as_version=4)
                           for lang in ("en", "ru")])
        NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                       resources={"metadata": {"path": str(ROOT)}}).execute()
        assert server.info("stats")["total_commands_processed"] - commands_before > keys.commands
        assert "clean" in _printed(nb.cells[-2])
        claims = claims_printed(nb.cells[-1])
        assert claims and all(c.holds for c in claims), [c for c in claims if not c.holds]
        assert _intact(server, keys)
        assert list(server.scan_iter(match="perflab:*")) == []  # every key of the course's is gone
    finally:
        server.delete(*keys.strings, *keys.sets, *keys.lists)
        server.close()
