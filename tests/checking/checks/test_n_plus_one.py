"""The n_plus_one checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from perflab.checking.checks.n_plus_one import CHECKS, expected_page
from perflab.checking.engine import Namespace, Report, run_checks
from perflab.lab.blog import draw_blog
from answer_kit import answer_namespace, check_answer, failures_over_many_runs

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = ROOT / "solutions" / "05_database" / "n_plus_one.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "n_plus_one").glob("*.py"))


def _check(path: Path) -> Report:
    return run_checks("n_plus_one", CHECKS, answer_namespace(path))


def test_the_stub_fails_on_the_query_count_alone() -> None:
    report = _check(ROOT / "exercises" / "05_database" / "n_plus_one.py")
    failed = [o.name for o in report.outcomes if not o.passed]
    assert failed == ["runs the same few queries for a page of any size"], str(report)
    assert "limit=1:" in report.outcomes[1].message  # the counts, by page size, are in the message


def test_the_solution_passes_well_within_its_bounds() -> None:
    start = time.perf_counter()
    report = _check(SOLUTION)
    assert report.passed, str(report)
    assert time.perf_counter() - start < 5.0  # about 1 s; the 50-run test depends on it


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("n_plus_one", CHECKS, path)


def test_a_missing_create_app_is_named() -> None:
    report = run_checks("n_plus_one", CHECKS, Namespace({}))
    assert not report.passed and "`create_app`" in report.outcomes[0].message


def test_drawn_blogs_differ_and_have_authors_without_posts_and_posts_without_tags() -> None:
    blogs = [draw_blog(random.Random(seed)) for seed in range(5)]
    assert len({tuple(a["id"] for a in blog.authors) for blog in blogs}) == 5
    for blog in blogs:
        page = expected_page(blog, len(blog.authors))
        assert [a["id"] for a in page] == sorted(a["id"] for a in blog.authors)
        assert any(not a["posts"] for a in page) and any(not p["tags"] for a in page for p in a["posts"])
        assert sum(len(a["posts"]) for a in page) == len(blog.posts)


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    assert failures_over_many_runs("n_plus_one", CHECKS, answer_namespace(SOLUTION)) == []
