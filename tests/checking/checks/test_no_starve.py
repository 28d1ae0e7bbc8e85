"""The no_starve checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

from pathlib import Path

import pytest

from perflab.checking.checks import _thumbnails
from perflab.checking.checks.no_starve import CHECKS
from perflab.checking.engine import Namespace, Report, run_checks
from answer_kit import RUNS, answer_namespace, check_answer, load_answer

ROOT = Path(__file__).resolve().parents[3]
STUB = ROOT / "exercises" / "06_work_after_response" / "no_starve.py"
SOLUTION = ROOT / "solutions" / "06_work_after_response" / "no_starve.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "no_starve").glob("*.py"))


def _check(path: Path) -> Report:
    return run_checks("no_starve", CHECKS, answer_namespace(path))


def test_the_stub_fails_on_the_limit() -> None:
    report = _check(STUB)
    failed = [o.name for o in report.outcomes if not o.passed]
    assert CHECKS[2].title in failed, str(report)
    assert int(report.outcomes[2].actual.split()[0]) > int(report.outcomes[2].expected.split()[-1]), str(report)  # the stub's sync tasks take the whole pool


def test_the_solution_passes_and_leaves_no_fake_behind() -> None:
    report = _check(SOLUTION)
    assert report.passed, str(report)
    assert _thumbnails._open == {}


def test_a_create_app_that_returns_none_is_named() -> None:
    report = run_checks("no_starve", CHECKS[:1], Namespace({"create_app": lambda make_thumbnail, max_at_once: None}))
    assert not report.passed and report.outcomes[0].actual == "None", str(report)


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("no_starve", CHECKS, path)


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    namespace = Namespace(load_answer(SOLUTION))
    failures = [str(r) for r in (run_checks("no_starve", CHECKS, namespace) for _ in range(RUNS)) if not r.passed]
    assert failures == [], failures[:1]
