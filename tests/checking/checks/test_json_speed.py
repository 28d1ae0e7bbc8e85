"""The json_speed checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

from pathlib import Path

import pytest

from perflab.checking.engine import Namespace, Report, run_checks
from perflab.checking.checks.json_speed import CHECKS
from answer_kit import RUNS, answer_namespace, check_answer, load_answer

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = ROOT / "solutions" / "04_fast_responses" / "json_speed.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "json_speed").glob("*.py"))
# wrong_orjson_response creates deprecated responses on purpose: that is the mistake it shows.
pytestmark = pytest.mark.filterwarnings("ignore::fastapi.exceptions.FastAPIDeprecationWarning")


def _check(path: Path) -> Report:
    return run_checks("json_speed", CHECKS, answer_namespace(path))


def test_the_stub_fails_on_the_declared_type_speed_and_measurement() -> None:
    report = _check(ROOT / "exercises" / "04_fast_responses" / "json_speed.py")
    failed = [o.name for o in report.outcomes if not o.passed]
    assert failed == [CHECKS[4].title, CHECKS[6].title, CHECKS[7].title], str(report)


def test_the_solution_passes() -> None:
    assert _check(SOLUTION).passed


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("json_speed", CHECKS, path)


def test_the_measurement_check_puts_the_learners_apps_back() -> None:
    objects = load_answer(SOLUTION)
    app, baseline = objects["app"], objects["baseline"]
    assert run_checks("json_speed", CHECKS[7:], Namespace(objects)).passed
    scope = objects["compare_with_jsonresponse"].__globals__
    assert scope["app"] is app and scope["baseline"] is baseline


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    namespace = Namespace(load_answer(SOLUTION))
    failures = [str(r) for r in (run_checks("json_speed", CHECKS, namespace) for _ in range(RUNS)) if not r.passed]
    assert failures == [], failures[:1]
