"""The stream_export checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from perflab.checking.engine import Namespace, Report, run_checks
from perflab.checking.checks.stream_export import CHECKS
from answer_kit import RUNS, answer_namespace, check_answer

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = ROOT / "solutions" / "04_fast_responses" / "stream_export.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "stream_export").glob("*.py"))


def _check(path: Path) -> Report:
    return run_checks("stream_export", CHECKS, answer_namespace(path))


def test_the_stub_fails_on_fields_hashes_and_streaming() -> None:
    report = _check(ROOT / "exercises" / "04_fast_responses" / "stream_export.py")
    failed = [o.name for o in report.outcomes if not o.passed]
    assert failed == ["sends every row's public fields as one JSON array", "never sends a password hash",
                      "streams while the source is still reading"], str(report)


def test_the_solution_passes_well_within_a_second() -> None:
    start = time.perf_counter()
    report = _check(SOLUTION)
    assert report.passed, str(report)
    assert time.perf_counter() - start < 1.0  # about 0.2 s; the 50-run test depends on it


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("stream_export", CHECKS, path)


def test_a_missing_create_app_is_named() -> None:
    report = run_checks("stream_export", CHECKS, Namespace({}))
    assert not report.passed and "`create_app`" in report.outcomes[0].message


def test_a_create_app_that_returns_nothing_is_named() -> None:
    report = run_checks("stream_export", CHECKS, Namespace({"create_app": lambda source: None}))
    assert not report.passed and "FastAPI app" in report.outcomes[0].message


def test_an_export_that_never_ends_fails_within_its_bound() -> None:
    endless = SOLUTION.read_text(encoding="utf-8").replace('yield b"]"', "await asyncio.Event().wait()")
    objects: dict[str, object] = {"__name__": "learner"}
    exec(compile(endless, "endless.py", "exec", dont_inherit=True), objects)
    start = time.perf_counter()
    report = run_checks("stream_export", CHECKS[:1], Namespace(objects))
    assert not report.passed and "had not finished" in report.outcomes[0].message
    assert time.perf_counter() - start < 8.0  # BOUND_S is 6 s


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    failures = [str(report) for report in (_check(SOLUTION) for _ in range(RUNS)) if not report.passed]
    assert failures == [], failures[:1]
