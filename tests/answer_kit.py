"""What the exercise-check tests share: loading an answer file as a learner's code, and the many-run noise loop."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from perflab.checking.engine import Check, Namespace, Report, run_checks

RUNS = 20  # runs of each solution with a core busy in every CI run. The standard's 50 of 50, on all three paths
# (perflab check, check() in a kernel, perflab grade) and for every right answer, is benchmarks/soak.py: 50 runs
# here took 12 min of a 28-min CI on two cores, over the 20-min budget.
FRESH_RUNS = 5  # a fresh-process check spends about 1 s importing and times nothing: 5 runs suffice


def load_answer(path: Path) -> dict[str, Any]:
    """Run an answer file as the learner's code and return its objects.

    Args:
        path: A stub, solution or known answer.
    """
    objects: dict[str, Any] = {"__name__": "learner"}
    # dont_inherit: a test file's `from __future__ import annotations` must not reach the learner's code.
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True), objects)
    return objects


def answer_namespace(path: Path) -> Namespace:
    """Return an answer file's objects as a learner's namespace, with its whole code, as ``perflab check`` has it.

    Args:
        path: A stub, solution or known answer.
    """
    return Namespace(load_answer(path), source=path.name, code=path.read_text(encoding="utf-8"))


def assert_header_verdict(path: Path, report: Report) -> None:
    """Assert the verdict an answer's first line names: ``# expect: pass``, or ``# expect: fail <check title>``.

    Args:
        path: The answer file.
        report: Its report.
    """
    expect = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    if expect == "pass":
        assert report.passed, str(report)
    else:
        failed = [o.name for o in report.outcomes if not o.passed]
        assert expect.removeprefix("fail ") in failed, str(report)


def check_answer(exercise_id: str, checks: Sequence[Check], path: Path) -> None:
    """Run a known answer's checks and assert the verdict that its first line names.

    A wrong answer runs the checks up to the one it must fail, which the header names: the later
    checks cannot change its verdict, and skipping them saves most of the suite's time.

    Args:
        exercise_id: The exercise the checks belong to.
        checks: Its checks, in order.
        path: The answer file.
    """
    expect = path.read_text(encoding="utf-8").splitlines()[0].removeprefix("# expect: ")
    if expect != "pass":
        titles = [check.title for check in checks]
        assert expect.removeprefix("fail ") in titles, f"{path.name} names no check of {exercise_id}: {expect!r}"
        checks = checks[: titles.index(expect.removeprefix("fail ")) + 1]
    assert_header_verdict(path, run_checks(exercise_id, checks, answer_namespace(path)))


def failures_over_many_runs(exercise_id: str, checks: list[Check], namespace: Namespace,
                            fresh_title: str = "") -> list[str]:
    """Return the reports of the runs that failed: RUNS runs of the checks, FRESH_RUNS of the slow one.

    Args:
        exercise_id: The exercise the checks belong to.
        checks: Its checks.
        namespace: The solution's objects.
        fresh_title: The title of a slow check that times little (a fresh Python process, a timeout), if any.
            Defaults to none.
    """
    in_process = [c for c in checks if c.title != fresh_title]
    reports = [run_checks(exercise_id, in_process, namespace) for _ in range(RUNS)]
    fresh = [c for c in checks if c.title == fresh_title]
    reports += [run_checks(exercise_id, fresh, namespace) for _ in range(FRESH_RUNS if fresh else 0)]
    return [str(report) for report in reports if not report.passed]
