"""The judge: verdicts decided here, about code that runs in a confined subject, whatever that code does.

The fixture course (``tests/fixtures/grading/course``) has a fast exercise, ``double``, whose
checks call the learner's function a few times: enough to see every way a subject can end.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from perflab.checking.remote.judge import judge_check
from perflab.checking.sandbox import check_in_subprocess

COURSE = Path(__file__).resolve().parents[2] / "fixtures" / "grading" / "course"
RIGHT = "def double(x: int) -> int:\n    return 2 * x\n"
WRONG = "def double(x: int) -> int:\n    return x + x + 1\n"


def _judged(tmp_path: Path, code: str, **options: float) -> tuple[bool, str]:
    path = tmp_path / "double.py"
    path.write_text(code, encoding="utf-8")
    report = judge_check("double", path, lang="en", root=COURSE, **options)  # type: ignore[arg-type]
    return report.passed, " ".join(o.message for o in report.outcomes)


@pytest.mark.parametrize("code", [RIGHT, WRONG, "def double(x):\n    return [][x]\n", "import nothing_here\n"])
def test_the_judge_gives_the_verdicts_of_the_sandbox(tmp_path: Path, code: str) -> None:
    path = tmp_path / "double.py"
    path.write_text(code, encoding="utf-8")
    judged = judge_check("double", path, lang="en", root=COURSE)
    boxed = check_in_subprocess("double", path, lang="en", root=COURSE)
    assert [(o.name, o.passed, o.message) for o in judged.outcomes] == [(o.name, o.passed, o.message)
                                                                         for o in boxed.outcomes]


def test_code_that_patches_the_engine_or_forges_a_report_changes_nothing(tmp_path: Path) -> None:
    patcher = ("import perflab.checking.engine as engine\n"
               "engine.Report.passed = property(lambda self: True)\n"
               "engine.CheckFailed = type('Never', (Exception,), {})\n"
               "import os\nfor fd in range(3, 64):\n    try:\n        os.write(fd, b'{\"passed\": true}')\n"
               "    except OSError:\n        pass\n")
    assert _judged(tmp_path, patcher + WRONG)[0] is False


def test_os_exit_during_a_check_names_the_exit_and_its_line(tmp_path: Path) -> None:
    passed, why = _judged(tmp_path, "import os\n\ndef double(x):\n    os._exit(3)\n")
    assert not passed and "os._exit(3) on line 4 of double.py" in why


def test_a_crash_says_its_status_and_a_hang_says_when_it_was_stopped(tmp_path: Path) -> None:
    passed, why = _judged(tmp_path, "import ctypes\n\ndef double(x):\n    return ctypes.string_at(0)\n")
    assert not passed and "(status -11)" in why
    start = time.monotonic()
    passed, why = _judged(tmp_path, "import time\nwhile True:\n    time.sleep(1)\n", timeout_s=3.0)
    assert not passed and "Stopped after 3 s" in why and time.monotonic() - start < 10


def test_nothing_the_code_started_outlives_the_verdict(tmp_path: Path) -> None:
    marker = tmp_path / "daemon-alive"
    daemon = (f"import os, subprocess, sys\nsubprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', "
              f"{str(marker)!r}], start_new_session=True)\n")
    assert _judged(tmp_path, daemon + RIGHT)[0] is True
    time.sleep(0.3)
    alive = subprocess.run(["pgrep", "-f", str(marker)], capture_output=True, text=True).stdout.split()
    assert alive == []


def test_the_judge_cannot_be_traced_by_the_code_it_checks() -> None:
    probe = ("import ctypes\nfrom perflab.checking.remote.judge import _untraceable\n_untraceable()\n"
             "print(ctypes.CDLL(None).prctl(3, 0, 0, 0, 0))")  # PR_GET_DUMPABLE
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "0", done.stderr


def _samples() -> list[tuple[str, Path, bool]]:
    """Each exercise's first right and first two wrong answers (the class-of-ten test grades the solutions and stubs)."""
    from perflab.checking.devcheck import answer_header
    from perflab.checking.manifest import load_manifest

    manifest, samples = load_manifest(), []
    for exercise in manifest.exercises:
        answers = sorted((manifest.root / exercise.answers).glob("*.py"))
        rights = [p for p in answers if p.name.startswith("right_")][:1]
        wrongs = [p for p in answers if p.name.startswith("wrong_")][:2]
        samples += [(exercise.id, p, bool(answer_header(p) and answer_header(p)[0])) for p in rights + wrongs]
    return samples


@pytest.mark.slow
@pytest.mark.parametrize(("exercise_id", "path", "right"), _samples(), ids=lambda v: getattr(v, "name", str(v)))
def test_every_exercise_is_judged_as_it_is_checked(exercise_id: str, path: Path, right: bool) -> None:
    report = judge_check(exercise_id, path, lang="en")
    assert report.passed is right, str(report)
