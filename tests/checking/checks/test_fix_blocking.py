"""The fix_blocking checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

from pathlib import Path

import pytest

from perflab.checking.engine import Report, run_checks
from perflab.checking.checks.fix_blocking import CHECKS
from answer_kit import RUNS, answer_namespace, check_answer

ROOT = Path(__file__).resolve().parents[3]
ANSWERS = sorted((ROOT / "tests" / "answers" / "fix_blocking").glob("*.py"))


def _check(path: Path) -> Report:
    return run_checks("fix_blocking", CHECKS, answer_namespace(path))


def test_the_stub_fails_on_concurrency_only() -> None:
    report = _check(ROOT / "exercises" / "01_event_loop" / "fix_blocking.py")
    assert [o.name for o in report.outcomes if not o.passed] == ["serves twenty requests at once"]


def test_the_solution_passes() -> None:
    assert _check(ROOT / "solutions" / "01_event_loop" / "fix_blocking.py").passed


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("fix_blocking", CHECKS, path)


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    solution = ROOT / "solutions" / "01_event_loop" / "fix_blocking.py"
    failures = [str(report) for report in (_check(solution) for _ in range(RUNS)) if not report.passed]
    assert failures == [], failures[:1]


def test_a_route_that_fails_at_once_is_not_called_concurrent(tmp_path: Path) -> None:
    failing = tmp_path / "failing.py"
    failing.write_text("from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/report/{user_id}')\n"
                       "async def report(user_id: int) -> dict:\n    raise RuntimeError('broken')\n\n\n"
                       "def load_profile(user_id):\n    import time\n    time.sleep(0.05)\n\n\n"
                       "async def load_orders(user_id):\n    import asyncio\n    await asyncio.sleep(0.05)\n",
                       encoding="utf-8")
    outcomes = {o.name: o for o in _check(failing).outcomes}
    concurrent = outcomes["serves twenty requests at once"]
    assert not concurrent.passed and concurrent.message.startswith("Not checked yet"), concurrent
