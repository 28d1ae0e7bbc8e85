"""Every misbehaving learner file ends in a clear failing verdict, in bounded time, in a subprocess."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from fixtures.exercise_course import FIXTURE_ROOT, LEARNER, SYNTAX_ERROR, escaping_learner

from perflab.checking.engine import Report
from perflab.checking.sandbox import check_in_subprocess, report_from_json

LOADS = "Your code runs from top to bottom"
DOUBLES = "`double` doubles numbers"
CYRILLIC = re.compile("[\u0400-\u04ff]")
slow = pytest.mark.slow

# learner file -> (the check that fails, a fragment of its message)
CASES = {
    "raises_at_import": (LOADS, "line 1: RuntimeError"),
    "raises_in_function": (DOUBLES, "RuntimeError"),
    "wrong_type": (DOUBLES, "Wrong result"),
    "prints_5mb": (DOUBLES, "Wrong result"),
    "exits_at_import": (LOADS, "sys.exit(3) on line 3"),
    "exits_in_function": (DOUBLES, "sys.exit"),
    "defines_nothing": ("`double` is an async function", "`double` is not defined"),
    "eats_memory": (LOADS, "a check may use 2048 MB"),
    "kills_itself": ("Your code runs and the checks finish", "os._exit(7) on line 3 of kills_itself.py"),
}
ENDLESS = {
    "loops_at_import": (LOADS, "within 10 s"),
    "sleeps_at_import": (LOADS, "within 10 s"),
    "loops_in_function": (DOUBLES, "within 3 s"),
    "never_returns": (DOUBLES, "within 3 s"),
    "deadlock": (DOUBLES, "within 3 s"),
    "blocks_loop": (DOUBLES, "within 3 s"),
    "awaits_forever": (DOUBLES, "within 3 s"),
}


def _check(path: Path, **options: object) -> tuple[Report, float]:
    start = time.monotonic()
    report = check_in_subprocess("double", path, root=FIXTURE_ROOT, lang="en", **options)  # type: ignore[arg-type]
    return report, time.monotonic() - start


def _alive(pid: int) -> bool:
    # A killed process whose parent died may stay a zombie if PID 1 does not reap: that is dead too.
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _failed(report: Report, name: str) -> str:
    outcome = next(o for o in report.outcomes if o.name == name)
    assert not outcome.passed, report
    return outcome.message


def test_the_solution_passes_and_the_stub_fails() -> None:
    assert _check(FIXTURE_ROOT / "solutions" / "01_demo" / "double.py")[0].passed
    stub = _check(FIXTURE_ROOT / "exercises" / "01_demo" / "double.py")[0]
    assert not stub.passed and "expected: 6" in str(stub) and "actual: 0" in str(stub)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_misbehaving_file_gets_a_clear_verdict(name: str) -> None:
    report, seconds = _check(LEARNER / f"{name}.py")
    check, fragment = CASES[name]
    assert fragment in _failed(report, check)
    assert not report.passed and seconds < 30
    assert len(str(report)) < 20_000, "printed megabytes never reach the report"


@slow
@pytest.mark.parametrize("name", sorted(ENDLESS))
def test_an_endless_file_is_stopped_with_a_verdict(name: str) -> None:
    report, seconds = _check(LEARNER / f"{name}.py")
    check, fragment = ENDLESS[name]
    assert fragment in _failed(report, check)
    assert seconds < 30


def test_a_syntax_error_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "double.py"
    path.write_text(SYNTAX_ERROR, encoding="utf-8")
    report, _seconds = _check(path)
    message = _failed(report, LOADS)
    assert "line 2" in message
    assert all(not o.passed for o in report.outcomes) and len(report.outcomes) == 3


def test_a_missing_file_says_how_to_get_it_back(tmp_path: Path) -> None:
    report, _seconds = _check(tmp_path / "gone.py")
    assert "perflab reset double" in _failed(report, LOADS)


def test_a_notebook_is_checked_by_its_exercise_cell(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("while True:\n    pass"),
        nbformat.v4.new_code_cell("# exercise: double\nasync def double(x):\n    return 2 * x"),
    ])
    nbformat.write(nb, str(tmp_path / "any name.ipynb"))
    assert _check(tmp_path / "any name.ipynb")[0].passed


def test_the_report_is_in_the_language_asked_for() -> None:
    report = check_in_subprocess("double", LEARNER / "defines_nothing.py", root=FIXTURE_ROOT, lang="ru")
    assert CYRILLIC.search(report.outcomes[0].message), report


def test_the_wall_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    path = tmp_path / "spawns.py"
    path.write_text(
        "import subprocess, sys\n"
        f"child = subprocess.Popen(['sleep', '300'])\nopen({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "while True:\n    pass\n", encoding="utf-8",
    )
    report, seconds = _check(path, timeout_s=3.0)
    assert "Stopped after 3 s" in report.outcomes[0].message and seconds < 30
    time.sleep(0.2)
    assert not _alive(int(pid_file.read_text()))


@pytest.mark.parametrize("then", ["async def double(x):\n    return 2 * x\n", "while True:\n    time.sleep(1)\n"],
                         ids=["verdict", "timeout"])
def test_nothing_the_learner_started_outlives_the_verdict(tmp_path: Path, then: str) -> None:
    pid_file = tmp_path / "pids"
    path = tmp_path / "escapes.py"
    path.write_text(escaping_learner(pid_file, then), encoding="utf-8")
    report, _seconds = _check(path, timeout_s=5.0)
    assert report.passed == then.startswith("async"), str(report)
    pids = [int(pid) for pid in pid_file.read_text().split()]
    assert len(pids) == 2 and not any(_alive(pid) for pid in pids)


def test_output_from_other_threads_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "noisy.py"
    path.write_text(
        "import os, sys, threading\n"
        "def spam():\n    for _ in range(50):\n        print('z' * 100_000)\n    print('last words', flush=True)\n"
        "t = threading.Thread(target=spam)\nt.start()\nt.join()\n"
        "os._exit(1)\n", encoding="utf-8",
    )
    report, _seconds = _check(path)
    assert not report.passed and report.outcomes[0].actual.endswith("last words\n")
    assert len(report.outcomes[0].actual) <= 2000


@slow
def test_the_check_process_dies_with_its_parent(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    learner = tmp_path / "spins.py"
    learner.write_text(f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\nwhile True:\n    pass\n")
    parent = subprocess.Popen([sys.executable, "-c", (
        "from pathlib import Path\nfrom perflab.checking.sandbox import check_in_subprocess\n"
        f"check_in_subprocess('double', Path({str(learner)!r}), root=Path({str(FIXTURE_ROOT)!r}), timeout_s=120)"
    )])
    deadline = time.monotonic() + 20
    while not pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    pid = int(pid_file.read_text())
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    pytest.fail("the check process outlived its parent")


def test_report_json_round_trips() -> None:
    report, _seconds = _check(FIXTURE_ROOT / "exercises" / "01_demo" / "double.py")
    again = report_from_json(report.to_json())
    assert again.outcomes == report.outcomes and again.exercise_id == "double"


def test_learner_code_runs_in_a_scratch_folder_not_the_course(tmp_path: Path, repo_root: Path) -> None:
    marker = repo_root / "perflab-cwd-marker.txt"
    learner = tmp_path / "writes_here.py"
    learner.write_text("open('perflab-cwd-marker.txt', 'w').write('x')\n", encoding="utf-8")
    try:
        check_in_subprocess("fix_blocking", learner, timeout_s=30, root=repo_root)
        assert not marker.exists(), "learner code wrote into the course folder"
    finally:
        marker.unlink(missing_ok=True)
