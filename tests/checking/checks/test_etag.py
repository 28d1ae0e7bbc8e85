"""The etag checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from perflab.checking.engine import Namespace, Report, run_checks
from perflab.checking.checks.etag import CHECKS
from answer_kit import answer_namespace, check_answer, failures_over_many_runs, load_answer

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = ROOT / "solutions" / "03_caching" / "etag.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "etag").glob("*.py"))
BY_TITLE = {c.title: c for c in CHECKS}
FRESH_PROCESS = "the ETag is the same in every process"


def _check(path: Path) -> Report:
    return run_checks("etag", CHECKS, answer_namespace(path))


def test_the_stub_fails_on_the_etag_first() -> None:
    report = _check(ROOT / "exercises" / "03_caching" / "etag.py")
    assert not report.outcomes[0].passed and not report.passed, str(report)
    assert "ETag" in report.outcomes[0].message


def test_the_solution_passes_quickly() -> None:
    objects = load_answer(SOLUTION)
    start = time.perf_counter()
    in_process = [c for c in CHECKS if c.title != FRESH_PROCESS]
    report = run_checks("etag", in_process, Namespace(objects))
    assert report.passed, str(report)
    assert time.perf_counter() - start < 1.0  # about 0.2 s; only the fresh process takes longer
    assert run_checks("etag", [BY_TITLE[FRESH_PROCESS]], Namespace(objects)).passed


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("etag", CHECKS, path)


def test_hash_etags_fail_even_with_a_fixed_hash_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONHASHSEED", "1")  # the fresh process must then use another seed
    objects = load_answer(ROOT / "tests" / "answers" / "etag" / "wrong_hash_etag.py")
    report = run_checks("etag", [BY_TITLE[FRESH_PROCESS]], Namespace(objects))
    assert not report.passed, str(report)


def test_a_missing_create_app_is_named() -> None:
    report = run_checks("etag", CHECKS[:1], Namespace({}))
    assert not report.passed and "`create_app`" in report.outcomes[0].message


def test_a_create_app_that_returns_none_is_named() -> None:
    report = run_checks("etag", CHECKS[:1], Namespace({"create_app": lambda products: None}))
    assert not report.passed and "None" in report.outcomes[0].message, str(report)


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    failures = failures_over_many_runs("etag", CHECKS, Namespace(load_answer(SOLUTION)), fresh_title=FRESH_PROCESS)
    assert failures == [], failures[:1]
