"""The accept_once checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

from pathlib import Path

import pytest

from perflab.checking.checks import _reports
from perflab.checking.checks.accept_once import CHECKS
from perflab.checking.engine import Namespace, Report, run_checks
from answer_kit import RUNS, answer_namespace, check_answer, load_answer

ROOT = Path(__file__).resolve().parents[3]
STUB = ROOT / "exercises" / "06_work_after_response" / "accept_once.py"
SOLUTION = ROOT / "solutions" / "06_work_after_response" / "accept_once.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "accept_once").glob("*.py"))


def _check(path: Path) -> Report:
    return run_checks("accept_once", CHECKS, answer_namespace(path))


def test_the_stub_fails_every_check_and_is_told_it_waits() -> None:
    report = _check(STUB)
    assert not any(o.passed for o in report.outcomes), str(report)
    assert "waited for the report" in report.outcomes[0].message, str(report)


def test_the_solution_passes_and_leaves_no_fake_or_server_behind() -> None:
    report = _check(SOLUTION)
    assert report.passed, str(report)
    assert _reports._open == {}


def test_a_create_app_that_returns_none_is_named() -> None:
    report = run_checks("accept_once", CHECKS[:1], Namespace({"create_app": lambda store, make_report: None}))
    assert not report.passed and report.outcomes[0].actual == "None", str(report)


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("accept_once", CHECKS, path)


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    namespace = Namespace(load_answer(SOLUTION))
    failures = [str(r) for r in (run_checks("accept_once", CHECKS, namespace) for _ in range(RUNS)) if not r.passed]
    assert failures == [], failures[:1]
