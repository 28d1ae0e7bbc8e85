"""The keyset checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

import random
import time
from datetime import datetime
from pathlib import Path

import pytest

from perflab.checking.checks.keyset import CHECKS, page_after
from perflab.checking.engine import Namespace, Report, run_checks
from perflab.lab.blog import draw_feed
from answer_kit import answer_namespace, check_answer, failures_over_many_runs

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = ROOT / "solutions" / "05_database" / "keyset.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "keyset").glob("*.py"))


def _check(path: Path) -> Report:
    return run_checks("keyset", CHECKS, answer_namespace(path))


def test_the_stub_walks_a_still_table_but_repeats_posts_under_writes_and_scans_deep_pages() -> None:
    report = _check(ROOT / "exercises" / "05_database" / "keyset.py")
    assert [o.passed for o in report.outcomes] == [True, False, False], str(report)
    assert "came again" in report.outcomes[1].message
    assert "OFFSET" in report.outcomes[2].message and "steps" in report.outcomes[2].message


def test_the_solution_passes_well_within_its_bounds() -> None:
    start = time.perf_counter()
    report = _check(SOLUTION)
    assert report.passed, str(report)
    assert time.perf_counter() - start < 6.0  # about 1 s; the 50-run test depends on it


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("keyset", CHECKS, path)


def test_a_missing_create_app_is_named() -> None:
    report = run_checks("keyset", CHECKS, Namespace({}))
    assert not report.passed and "`create_app`" in report.outcomes[0].message


def test_a_drawn_feed_ties_many_posts_and_gives_some_microseconds() -> None:
    posts = draw_feed(random.Random(4), 600).posts
    moments = [post["created_at"] for post in posts]
    assert len(set(moments)) < len(posts) * 0.6  # most minutes hold several posts
    assert any(moment.microsecond for moment in moments) and len({post["id"] for post in posts}) == 600


def test_a_keyset_page_starts_after_the_key_and_breaks_ties_by_id() -> None:
    moment = datetime(2026, 1, 1)
    rows = {i: {"id": i, "title": f"post {i}", "created_at": moment} for i in (5, 2, 9)}
    assert [item["id"] for item in page_after(rows, None, 2)] == [2, 5]
    assert [item["id"] for item in page_after(rows, (moment, 5), 2)] == [9]
    assert page_after(rows, (moment, 9), 2) == []


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    assert failures_over_many_runs("keyset", CHECKS, answer_namespace(SOLUTION)) == []
