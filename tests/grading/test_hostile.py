"""Hostile submissions, graded side by side with honest ones: they get 0 and a clear reason, and change nothing else.

Each hostile submission tries one way to fool the grader or harm the class: patch the engine,
rewrite a check module, overwrite another learner's file, write outside its folder, fork-bomb,
or fill the disk. The course is a copy, so a defence that fails cannot damage the repository.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from perflab.grading.batch import GradeOptions, grade

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "grading"
RIGHT_DOUBLE = "def double(x: int) -> int:\n    return 2 * x\n"
WRONG_DOUBLE = "def double(x: int) -> int:\n    return x + x + 1\n"
PASS_EVERYTHING = ("from perflab.checking.engine import Check\n"
                   "CHECKS = [Check('Doubles a small number', lambda ns: None)]\n")


def _hostile(course: Path, folder: Path, outside: Path) -> dict[str, str]:
    checks = course / "fixture_checks" / "double.py"
    return {
        "patcher/double.py": (
            "import perflab.checking.engine as engine\n"
            "engine.Report.passed = property(lambda self: True)\n"
            "engine.run_checks = lambda exercise_id, checks, ns: engine.Report(exercise_id, [engine.Outcome('x', True)])\n"
            "import perflab.checking.remote.judge as judge\n"
            "judge.judge_check = lambda *a, **k: None\n" + WRONG_DOUBLE),
        "rewriter/double.py": f"open({str(checks)!r}, 'w').write({PASS_EVERYTHING!r})\n" + WRONG_DOUBLE,
        "overwriter/double.py": f"open({str(folder / 'good' / 'double.py')!r}, 'w').write({WRONG_DOUBLE!r})\n"
                                + RIGHT_DOUBLE,
        "outsider/double.py": f"open({str(outside)!r}, 'w').write('escaped')\n" + RIGHT_DOUBLE,
        "bomber/double.py": (
            "import os, time\nend = time.monotonic() + 2\n"
            "while time.monotonic() < end:\n    os.fork()\n" + RIGHT_DOUBLE),
        "filler/double.py": (
            "chunk = b'x' * 2**20\nwith open('big.bin', 'wb') as big:\n"
            "    for _i in range(4096):\n        big.write(chunk)\n        big.flush()\n" + RIGHT_DOUBLE),
    }


def _honest() -> dict[str, str]:
    return {"good/double.py": RIGHT_DOUBLE, "wrong/double.py": WRONG_DOUBLE, "late/double.py": RIGHT_DOUBLE}


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def _graded(course: Path, folder: Path) -> dict[str, tuple[int, str]]:
    grading = grade(folder, GradeOptions(root=course, lang="en", jobs=2, timeout_s=10.0))
    assert grading.errors == []
    exercise = grading.exercises[0]
    return {r.learner: (r.points(exercise), " ".join(o.message for o in r.reports["double"].outcomes))
            for r in grading.learners}


@pytest.mark.slow
def test_hostile_submissions_get_0_and_honest_ones_the_grades_they_get_alone(tmp_path: Path) -> None:
    course = shutil.copytree(FIXTURES / "course", tmp_path / "course")
    checks_before = (course / "fixture_checks" / "double.py").read_text(encoding="utf-8")
    alone = _graded(course, _write(tmp_path / "alone", _honest()))
    folder, outside = tmp_path / "class", tmp_path / "outside.txt"
    graded = _graded(course, _write(folder, {**_honest(), **_hostile(course, folder, outside)}))
    assert {k: graded[k][0] for k in alone} == {k: v[0] for k, v in alone.items()} == {"good": 2, "wrong": 0, "late": 2}
    why = {learner: message for learner, (points, message) in graded.items() if learner not in alone and not points}
    assert set(why) == {"patcher", "rewriter", "overwriter", "outsider", "bomber", "filler"}, graded
    for learner in ("rewriter", "overwriter", "outsider", "filler"):
        assert "Read-only file system" in why[learner] or "No space left" in why[learner], (learner, why[learner])
    assert "No space left on device" in why["filler"]
    assert "processes" in why["bomber"], why["bomber"]
    assert (course / "fixture_checks" / "double.py").read_text(encoding="utf-8") == checks_before
    assert (folder / "good" / "double.py").read_text(encoding="utf-8") == RIGHT_DOUBLE
    assert not outside.exists()
