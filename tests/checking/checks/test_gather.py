"""The gather checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from perflab.checking.engine import Namespace, Report, run_checks
from perflab.checking.checks._shared import SharedServer
from perflab.checking.checks.gather import CHECKS, TIMEOUT_RANGES_S, TIMEOUT_SLACK_S
from answer_kit import answer_namespace, check_answer, failures_over_many_runs, load_answer
from perflab.lab.fakes import quiet_app

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = ROOT / "solutions" / "02_concurrent_io" / "gather.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "gather").glob("*.py"))


def _check(path: Path) -> Report:
    return run_checks("gather", CHECKS, answer_namespace(path))


def test_the_stub_fails_on_concurrency_and_failures() -> None:
    report = _check(ROOT / "exercises" / "02_concurrent_io" / "gather.py")
    failed = [o.name for o in report.outcomes if not o.passed]
    assert failed == [c.title for c in CHECKS[1:]], str(report)


def test_the_solution_passes() -> None:
    assert _check(SOLUTION).passed


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("gather", CHECKS, path)


def test_a_missing_create_app_is_named() -> None:
    report = run_checks("gather", CHECKS, Namespace({}))
    assert not report.passed and "`create_app`" in report.outcomes[0].message


def test_a_hanging_api_costs_the_check_little_time() -> None:
    start = time.perf_counter()
    report = run_checks("gather", CHECKS[3:], Namespace(load_answer(ANSWERS[0].with_name("wrong_no_timeout.py"))))
    assert not report.passed
    # The check gives up on each of its two timeouts (at most 0.5 s and 1.3 s) plus the slack,
    # never waiting out the hangs (2.5 s each, 5 s in all).
    assert time.perf_counter() - start < sum(high for _low, high in TIMEOUT_RANGES_S) + 2 * TIMEOUT_SLACK_S


def test_checks_share_one_server_that_stops_when_idle_or_last() -> None:
    shared = SharedServer("test-shared", quiet_app, idle_s=0.2)
    with shared.running() as first:
        pass
    with shared.running() as second:
        pass
    assert first is second and first.running
    time.sleep(0.6)
    assert not first.running
    with shared.running(last=True) as third:
        assert third.running
    assert not third.running


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    # The hang check waits out two timeouts (about 3 s a run) and times only them, with 20x margin:
    # it runs FRESH_RUNS times, the other checks RUNS times.
    failures = failures_over_many_runs("gather", CHECKS, answer_namespace(SOLUTION), fresh_title=CHECKS[3].title)
    assert failures == [], failures[:1]
