"""Chapter 03 on a real Redis: it runs unchanged, touches only its own ``perflab:`` keys, and leaves none behind.

CI starts redis-server on 127.0.0.1 and sets ``PERFLAB_TEST_REDIS_URL`` (see ``.ci/run``). Before the
notebook runs, the database holds a learner's keys of the very shapes the chapter uses; afterwards
they must be there, unchanged, and no key of the course's may be left.
"""

from __future__ import annotations

import os

import nbformat
import pytest
import redis
from nbclient import NotebookClient

from perflab.build.claims import claims_printed
from test_notebook_execution import CELL_TIMEOUT_S, ROOT, _printed, _with_probes

CHAPTER = "03_caching.ipynb"
# A learner's own keys, in the shapes chapter 03 uses: a pattern delete or a flush would take them.
LEARNERS_STRINGS = {"v1:product:1": "mine", "v1:page:17": "[1, 2]", "v1:profile:123": "{}", "perflab": "not a prefix"}
LEARNERS_TAG = "tag:user:123"


def _redis_url() -> str:
    url = os.environ.get("PERFLAB_TEST_REDIS_URL", "")
    if not url and os.environ.get("CI"):
        pytest.fail("CI must start redis-server and set PERFLAB_TEST_REDIS_URL (see .ci/run)")
    if not url:
        pytest.skip("no Redis: set PERFLAB_TEST_REDIS_URL=redis://127.0.0.1:6379/0")
    return url


@pytest.mark.slow
@pytest.mark.notebook
def test_chapter_03_runs_twice_on_redis_and_leaves_the_learners_keys_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    url = _redis_url()
    server = redis.Redis.from_url(url, decode_responses=True)
    server.mset(LEARNERS_STRINGS)
    server.sadd(LEARNERS_TAG, "v1:profile:123")
    try:
        commands_before = server.info("stats")["total_commands_processed"]
        monkeypatch.setenv("REDIS_URL", url)  # the kernel starts with it
        nb = _with_probes([nbformat.read(ROOT / "notebooks" / lang / CHAPTER, as_version=4) for lang in ("en", "ru")])
        NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                       resources={"metadata": {"path": str(ROOT)}}).execute()
        assert server.info("stats")["total_commands_processed"] - commands_before > 1_000  # it ran on this server (about 13,500 commands)
        assert "clean" in _printed(nb.cells[-2])
        claims = claims_printed(nb.cells[-1])
        assert claims and all(c.holds for c in claims), [c for c in claims if not c.holds]
        assert server.mget(list(LEARNERS_STRINGS)) == list(LEARNERS_STRINGS.values())
        assert server.smembers(LEARNERS_TAG) == {"v1:profile:123"}
        assert list(server.scan_iter(match="perflab:*")) == []  # every key of the course's is gone
    finally:
        server.delete(*LEARNERS_STRINGS, LEARNERS_TAG)
        server.close()
