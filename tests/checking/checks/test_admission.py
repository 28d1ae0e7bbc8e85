"""The admission checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from perflab.checking.engine import Namespace, Report, run_checks
from perflab.checking.checks.admission import CHECKS
from answer_kit import RUNS, answer_namespace, check_answer

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = ROOT / "solutions" / "07_servers_and_workers" / "admission.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "admission").glob("*.py"))


def _check(path: Path) -> Report:
    return run_checks("admission", CHECKS, answer_namespace(path))


def test_the_stub_fails_every_check_that_needs_a_limit() -> None:
    report = _check(ROOT / "exercises" / "07_servers_and_workers" / "admission.py")
    failed = [o.name for o in report.outcomes if not o.passed]
    assert failed == [check.title for check in CHECKS[1:4]] + [check.title for check in CHECKS[5:]], str(report)


def test_the_solution_passes_in_a_few_seconds() -> None:
    start = time.perf_counter()
    report = _check(SOLUTION)
    assert report.passed, str(report)
    assert time.perf_counter() - start < 10  # about 4 s, mostly the budget and the settling waits


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("admission", CHECKS, path)


def test_a_missing_admit_is_named() -> None:
    report = run_checks("admission", CHECKS, Namespace({}))
    assert not report.passed and "`admit`" in report.outcomes[0].message


def test_an_admit_that_returns_nothing_is_named() -> None:
    report = run_checks("admission", CHECKS, Namespace({"admit": lambda app, limit, wait: None}))
    assert not report.passed and "ASGI" in report.outcomes[0].message


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    failures = [str(report) for report in (_check(SOLUTION) for _ in range(RUNS)) if not report.passed]
    assert failures == [], failures[:1]
