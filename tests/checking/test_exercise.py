"""``check()`` and ``hint()`` in the learner's own process: live objects, bounded verdicts, tiers of hints."""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import IPython
import pytest
from fixtures.exercise_course import FIXTURE_ROOT, LEARNER, copy_course

from perflab.checking.exercise import CheckUsageError, check, hint, task
from perflab.i18n import use_language
from perflab.checking.learner import run_source
from perflab.checking.manifest import UnknownExercise

BENGALI = re.compile("[\u0980-\u09ff]")


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the fixture course, used by ``check()`` and ``hint()`` through PERFLAB_ROOT."""
    root = copy_course(tmp_path)
    monkeypatch.setenv("PERFLAB_ROOT", str(root))
    return root


def _learner(name: str) -> dict[str, Any]:
    source = (LEARNER / f"{name}.py").read_text(encoding="utf-8")
    return run_source(source, name, f"perflab_test_{name}")


def _in_notebook(code: str, **globals_: Any) -> Any:
    """Run ``code`` with its own globals, as a notebook cell would, and return its ``report``."""
    scope = {"check": check, **globals_}
    exec(code, scope)
    return scope["report"]


def test_check_finds_the_objects_by_name_in_the_callers_globals(course: Path) -> None:
    async def double(x: int) -> int:
        return 2 * x

    report = _in_notebook("report = check('double')", double=double)
    assert report.passed and report.exercise_id == "double"
    assert "✓" in str(report) and "<table" in report._repr_html_()


def test_check_takes_the_objects_given_directly(course: Path) -> None:
    async def mine(x: int) -> int:
        return x + x

    assert check("double", mine).passed
    assert check("double", double=mine).passed
    assert not check("double", double=lambda x: 2 * x).passed


def test_check_reads_the_ipython_namespace_when_there_is_one(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def double(x: int) -> int:
        return 2 * x

    monkeypatch.setattr(IPython, "get_ipython", lambda: SimpleNamespace(user_ns={"double": double}))
    assert check("double").passed


def test_check_says_what_is_wrong_with_its_arguments(course: Path) -> None:
    with pytest.raises(CheckUsageError, match="at most 1"):
        check("double", 1, 2)
    with pytest.raises(CheckUsageError, match="dubble"):
        check("double", dubble=1)
    with pytest.raises(UnknownExercise, match="shout"):
        check("tripple")


def test_a_missing_name_is_a_clear_failure_in_the_learners_language(course: Path) -> None:
    use_language("bn")
    report = _in_notebook("report = check('double')")
    assert not report.passed and BENGALI.search(report.outcomes[0].message)


def test_check_records_progress(course: Path) -> None:
    check("shout", lambda text: text)
    check("shout", lambda text: text.upper() + "!")
    state = json.loads((course / ".perflab" / "state.json").read_text())["exercises"]["shout"]
    assert state["status"] == "passed" and state["attempts"] == 2 and state["ever_passed"]


QUICK = {
    "raises_in_function": "RuntimeError",
    "exits_in_function": "sys.exit",
    "wrong_type": "Wrong result",
    "prints_5mb": "Wrong result",
}
ENDLESS = ["loops_in_function", "never_returns", "deadlock", "blocks_loop", "awaits_forever"]


@pytest.mark.parametrize("name", sorted(QUICK))
def test_misbehaving_objects_get_a_verdict_and_the_process_goes_on(course: Path, name: str) -> None:
    stdout = sys.stdout
    report = check("double", _learner(name)["double"])
    assert not report.passed and QUICK[name] in str(report)
    assert sys.stdout is stdout and len(str(report)) < 20_000


@pytest.mark.slow
@pytest.mark.parametrize("name", ENDLESS)
def test_endless_objects_are_stopped_within_one_check_timeout(course: Path, name: str) -> None:
    start = time.monotonic()
    report = check("double", _learner(name)["double"])
    assert "within 3 s" in str(report) and time.monotonic() - start < 30
    assert check("double", _learner("raises_in_function")["double"]).outcomes[1].message.startswith("Your code raised")


def test_hint_reveals_one_more_tier_each_time(course: Path) -> None:
    first, second, third = hint("double"), hint("double"), hint("double")
    assert len(first.shown) == 1 and "Hint 1 of 2" in str(first) and "last hint" not in str(first)
    assert len(second.shown) == 2 and "last hint" in str(second)
    assert third.shown == second.shown
    assert "<li>" in second._repr_html_()


def test_a_hint_cell_run_again_shows_the_same_hints(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # JupyterLab sends the id of the cell it runs with each execute request.
    kernel = SimpleNamespace(get_parent=lambda: {"metadata": {"cellId": "hint-cell"}})
    monkeypatch.setattr(IPython, "get_ipython", lambda: SimpleNamespace(kernel=kernel))
    assert [len(hint("double").shown) for _ in range(3)] == [1, 1, 1]


def test_hints_come_in_the_learners_language(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFLAB_LOCALES", str(FIXTURE_ROOT / "locales"))
    use_language("ru")
    assert "умноженное на два" in str(hint("double"))


def test_hints_need_no_writable_course(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object) -> int:
        raise PermissionError("read-only")

    monkeypatch.setattr("perflab.checking.exercise.reveal_hint", refuse)
    monkeypatch.setattr("perflab.checking.exercise.record_check", refuse)
    assert len(hint("double").shown) == 2
    assert check("shout", lambda text: text.upper() + "!").passed


KERNEL_CELLS = [
    "import os\nos.environ['PERFLAB_ROOT'] = {root!r}\nimport perflab\nfrom perflab.checking.exercise import check, hint\n"
    "perflab.use_language('bn')",
    "# exercise: double\nasync def double(x: int) -> int:\n    return 2 * x",
    "check('double')",
    "async def double(x: int) -> int:\n    while True:\n        pass",
    "import time\nstart = time.monotonic()\nreport = check('double')\nprint(report.passed, time.monotonic() - start < 30)\nreport",
    "async def double(x: int) -> int:\n    time.sleep(10**6)",
    "check('double')",
    "async def double(x: int) -> int:\n    import sys\n    sys.exit(3)",
    "check('double')",
    "hint('double')",
    "print('kernel alive', double.__name__)",
]


@pytest.mark.slow
def test_check_in_a_real_kernel_gives_verdicts_and_the_kernel_survives(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    root = copy_course(tmp_path)
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source.format(root=str(root))) for source in KERNEL_CELLS]
    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=False).execute()
    html = [next(o.data["text/html"] for o in cell.outputs if "data" in o) for cell in nb.cells if cell.source.startswith("check(")]
    assert "✓" in html[0] and "✗" not in html[0]
    assert all("✗" in h and BENGALI.search(h) for h in html[1:])
    assert "False True" in nb.cells[4].outputs[0].text
    assert BENGALI.search(nb.cells[4].outputs[1].data["text/html"])
    assert "<li>" in nb.cells[9].outputs[0].data["text/html"]
    assert "kernel alive double" in nb.cells[10].outputs[0].text
    state = json.loads((root / ".perflab" / "state.json").read_text())["exercises"]["double"]
    assert state["ever_passed"] and state["status"] == "failing"


def test_task_shows_the_whole_task_as_markdown(course: Path) -> None:
    shown = task("double")
    assert shown.exercise_id == "double" and "Build what the title says" in shown.text
    assert shown._repr_markdown_().startswith("**") and "`double`" in shown._repr_markdown_()
