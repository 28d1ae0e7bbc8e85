"""The bounded_fanout checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from perflab.checking.engine import Namespace, Report, run_checks
from perflab.checking.checks.bounded_fanout import CHECKS
from answer_kit import RUNS, answer_namespace, check_answer

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = ROOT / "solutions" / "02_concurrent_io" / "bounded_fanout.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "bounded_fanout").glob("*.py"))


def _check(path: Path) -> Report:
    return run_checks("bounded_fanout", CHECKS, answer_namespace(path))


def test_the_stub_fails_on_using_the_limit_and_the_window_only() -> None:
    report = _check(ROOT / "exercises" / "02_concurrent_io" / "bounded_fanout.py")
    failed = [o.name for o in report.outcomes if not o.passed]
    assert failed == ["uses the whole limit", "a slow request holds only its own slot"], str(report)


def test_the_solution_passes_well_within_a_second() -> None:
    start = time.perf_counter()
    report = _check(SOLUTION)
    assert report.passed, str(report)
    assert time.perf_counter() - start < 2.5  # about 1 s; the 50-run test depends on it


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("bounded_fanout", CHECKS, path)


def test_a_missing_fetch_all_is_named() -> None:
    report = run_checks("bounded_fanout", CHECKS, Namespace({}))
    assert not report.passed and "`fetch_all`" in report.outcomes[0].message


def test_a_sync_fetch_all_is_named() -> None:
    report = run_checks("bounded_fanout", CHECKS, Namespace({"fetch_all": lambda client, urls, limit: []}))
    assert not report.passed and "async def" in report.outcomes[0].message


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    failures = [str(report) for report in (_check(SOLUTION) for _ in range(RUNS)) if not report.passed]
    assert failures == [], failures[:1]
