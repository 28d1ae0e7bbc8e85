"""Chapter 05 and its exercises' checks on a real PostgreSQL: they run unchanged, and the learner's own tables survive.

CI starts PostgreSQL on 127.0.0.1 and sets ``PERFLAB_TEST_DATABASE_URL`` (see ``.ci/run``). The
database holds a table of the learner's before the notebook runs; afterwards it must hold that
table, with its row, and nothing of the course's.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import asyncpg
import nbformat
import pytest
from nbclient import NotebookClient

from perflab.build.claims import claims_printed
from perflab.checking.engine import run_checks
from perflab.checking.manifest import load_manifest
from answer_kit import answer_namespace, assert_header_verdict
from test_notebook_execution import CELL_TIMEOUT_S, ROOT, _printed, _with_probes

CHAPTER = ROOT / "notebooks" / "en" / "05_database.ipynb"
LEARNERS_TABLE = "learner_orders"


def _database_url() -> str:
    url = os.environ.get("PERFLAB_TEST_DATABASE_URL", "")
    if not url and os.environ.get("CI"):
        pytest.fail("CI must start PostgreSQL and set PERFLAB_TEST_DATABASE_URL (see .ci/run)")
    if not url:
        pytest.skip("no PostgreSQL: set PERFLAB_TEST_DATABASE_URL=postgresql://user:password@127.0.0.1/db")
    return url


async def _sql(url: str, *statements: str) -> list[list[asyncpg.Record]]:
    connection = await asyncpg.connect(url)
    try:
        return [await connection.fetch(statement) for statement in statements]
    finally:
        await connection.close()


@pytest.mark.slow
@pytest.mark.notebook
def test_chapter_05_runs_on_postgresql_and_leaves_the_learners_tables_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    url = _database_url()
    asyncio.run(_sql(url, f"DROP TABLE IF EXISTS {LEARNERS_TABLE}",
                     f"CREATE TABLE {LEARNERS_TABLE} (id int PRIMARY KEY, note text)",
                     f"INSERT INTO {LEARNERS_TABLE} VALUES (1, 'mine')"))
    try:
        monkeypatch.setenv("DATABASE_URL", url)  # the kernel starts with it
        nb = _with_probes([nbformat.read(CHAPTER, as_version=4)])
        NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3",
                       resources={"metadata": {"path": str(ROOT)}}).execute()
        assert any("'driver': 'asyncpg'" in str(c.outputs) for c in nb.cells), "the notebook did not run on PostgreSQL"
        assert "clean" in _printed(nb.cells[-2])
        claims = claims_printed(nb.cells[-1])
        assert claims and all(c.holds for c in claims), [c for c in claims if not c.holds]
        rows, left = asyncio.run(_sql(url, f"SELECT id, note FROM {LEARNERS_TABLE}",
                                      "SELECT relname FROM pg_class WHERE relname LIKE 'perflab%'"))
        assert [tuple(r) for r in rows] == [(1, "mine")]
        assert [r["relname"] for r in left] == []  # every table and index of the course is gone
    finally:
        asyncio.run(_sql(url, f"DROP TABLE IF EXISTS {LEARNERS_TABLE}"))


# The verdicts that can differ between SQLite and PostgreSQL: those that rest on counting (queries, rows
# read, sessions), and the answers that write dates into raw SQL, which each database compares its own way.
# The other wrong answers fail on the JSON they answer, the same on both; SQLite runs them all in tests/checking.
_COUNTED = ("costs a seek", "runs the same few queries", "a session of its own")
_DIALECT = {"wrong_text_sql_drops_microseconds", "wrong_text_sql_isoformat", "wrong_str_datetime_strptime",
            "wrong_shared_session"}


def _differs_by_database(path: Path) -> bool:
    expect = path.read_text().splitlines()[0]
    return "pass" in expect or any(p in expect for p in _COUNTED) or path.stem in _DIALECT


def _chapter_05_answers() -> list[tuple[str, Path]]:
    exercises = [e for e in load_manifest(ROOT).exercises if e.chapter == "05_database"]
    return [(e.id, path) for e in exercises for path in sorted((ROOT / e.answers).glob("*.py"))
            if _differs_by_database(path)]


@pytest.mark.xdist_group("postgresql-checks")  # one worker, one at a time: each asserts that no check schema is left
@pytest.mark.parametrize(("exercise_id", "path"), _chapter_05_answers(), ids=lambda v: getattr(v, "stem", v))
def test_chapter_05_checks_give_the_same_verdicts_on_postgresql(exercise_id: str, path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    url = _database_url()
    monkeypatch.setenv("DATABASE_URL", url)  # the checks then work in a schema of their own
    checks = __import__(f"perflab.checking.checks.{exercise_id}", fromlist=["CHECKS"]).CHECKS
    report = run_checks(exercise_id, checks, answer_namespace(path))
    assert_header_verdict(path, report)
    left = asyncio.run(_sql(url, "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'perflab_check_%'"))[0]
    assert [r["nspname"] for r in left] == []
