"""Batch grading: what counts as a submission, and that no submission changes another's result.

The tests grade a two-exercise fixture course (``tests/fixtures/grading/course``) with the real
sandbox. Its checks are fast, and "fetch" talks to a server on 127.0.0.1, so loopback must work.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from perflab.grading import netns
from perflab.checking.engine import Namespace, run_checks
from perflab.grading.batch import GradeOptions, find_submissions, grade
from perflab.grading.cli import add_grade_command
from perflab.checking.learner import exercise_id_of
from perflab.checking.manifest import load_checks, load_manifest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "grading"
COURSE = FIXTURES / "course"
SAMPLES = FIXTURES / "submissions"
RIGHT_DOUBLE = "def double(x: int) -> int:\n    return 2 * x\n"
WRONG_DOUBLE = "def double(x: int) -> int:\n    return x + x + 1\n"


def _options(**changes: object) -> GradeOptions:
    settings: dict[str, object] = {"root": COURSE, "lang": "en", "jobs": 2, "timeout_s": 10.0, **changes}
    return GradeOptions(**settings)  # type: ignore[arg-type]


def _points(grading: object) -> dict[str, dict[str, int]]:
    return {r.learner: {e.id: r.points(e) for e in grading.exercises} for r in grading.learners}  # type: ignore[attr-defined]


def _write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def no_namespaces(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Grade as on a machine without user namespaces."""
    monkeypatch.setenv("PERFLAB_NETNS", "off")
    netns.detect_isolation.cache_clear()
    yield
    netns.detect_isolation.cache_clear()


def test_submissions_are_found_in_folders_flat_files_and_notebooks() -> None:
    subs, notes = find_submissions(SAMPLES, load_manifest(COURSE).exercises)
    origins = {s.learner: {i: p.origin for i, p in s.pieces.items()} for s in subs}
    assert origins == {
        "alice": {"double": "double.py", "fetch": "fetch.py"},
        "bob": {"double": "week1.ipynb", "fetch": "week1.ipynb"},
        "carol": {"double": "carol__double.py"},
        "dave": {"double": "exercises/01_basics/double.py"},
        "erin": {"fetch": "erin.ipynb"},
    }
    assert [n.split(":")[0] for n in notes] == ["README.txt"]
    by_learner = {s.learner: s.notes for s in subs}
    assert by_learner["dave"][0].startswith("notes.txt:") and by_learner["erin"][0].startswith("scratch.ipynb:")


def test_a_py_file_beats_a_notebook_and_the_duplicate_is_noted(tmp_path: Path) -> None:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# exercise: double\n" + WRONG_DOUBLE)])
    (tmp_path / "zoe").mkdir()
    nbformat.write(nb, tmp_path / "zoe" / "a.ipynb")
    _write(tmp_path, {"zoe/b.py": "# exercise: double\n" + RIGHT_DOUBLE, "zoe/c.py": "# exercise: nope\n"})
    [sub], _notes = find_submissions(tmp_path, load_manifest(COURSE).exercises)
    assert sub.pieces["double"].origin == "b.py"
    assert any("a.ipynb" in n and "b.py" in n for n in sub.notes)
    assert any("c.py" in n and "nope" in n for n in sub.notes)


def test_links_pipes_and_huge_files_are_noted_not_read(tmp_path: Path) -> None:
    (tmp_path / "max").mkdir()
    os.mkfifo(tmp_path / "max" / "double.py")  # reading it would block for ever
    (tmp_path / "max" / "fetch.py").symlink_to("/etc/hostname")
    (tmp_path / "max" / "big.ipynb").write_bytes(b" " * 20_000_001)
    [sub], _notes = find_submissions(tmp_path, load_manifest(COURSE).exercises)
    assert sub.pieces == {} and len(sub.notes) == 3


@pytest.mark.slow
def test_the_samples_get_their_points() -> None:
    grading = grade(SAMPLES, _options())
    assert _points(grading) == {
        "alice": {"double": 2, "fetch": 3},
        "bob": {"double": 2, "fetch": 0},  # the last exercise cell counts, not the earlier wrong one
        "carol": {"double": 0, "fetch": 0},
        "dave": {"double": 2, "fetch": 0},
        "erin": {"double": 0, "fetch": 3},  # over loopback, inside the network namespace
    }
    assert grading.errors == [] and grading.max_points == 5


def _in_notebook_verdicts(notebook: Path, exercise_id: str) -> list[tuple[str, bool]]:
    """What ``check(id)`` says right after the exercise cell ran, with every cell before it run too."""
    cells = [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code"]
    last = max(i for i, source in enumerate(cells) if exercise_id_of(source) == exercise_id)
    kernel: dict[str, object] = {}
    for source in cells[: last + 1]:
        exec(compile(source, "<cell>", "exec"), kernel)  # playing the kernel
    manifest = load_manifest(COURSE)
    exercise = manifest[exercise_id]
    objects = {name: kernel[name] for name in exercise.names if name in kernel}
    report = run_checks(exercise_id, load_checks(exercise, manifest.root), Namespace(objects))
    return [(o.name, o.passed) for o in report.outcomes]


@pytest.mark.slow
def test_a_notebook_is_graded_as_check_in_the_notebook_would(tmp_path: Path) -> None:
    solution = (COURSE / "solutions/01_basics/fetch.py").read_text(encoding="utf-8")
    cells = ["import math", "# exercise: double\n" + RIGHT_DOUBLE, "# exercise: double\n" + WRONG_DOUBLE,
             "double_of_two = 4", "# exercise: fetch\n" + solution, "def fetch(port):\n    return b''"]
    (tmp_path / "ann").mkdir()
    notebook = tmp_path / "ann" / "course.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), notebook)
    grading = grade(tmp_path, _options())
    [ann] = grading.learners
    for exercise_id in ("double", "fetch"):
        graded = [(o.name, o.passed) for o in ann.reports[exercise_id].outcomes]
        assert graded == _in_notebook_verdicts(notebook, exercise_id), exercise_id
    assert _points(grading) == {"ann": {"double": 0, "fetch": 3}}


@pytest.mark.slow
def test_graded_code_reaches_loopback_but_nothing_beyond() -> None:
    if not netns.detect_isolation().network:
        pytest.skip("no network namespace here, and the test must not dial out for real")
    solution = (COURSE / "solutions/01_basics/fetch.py").read_text(encoding="utf-8")
    dial_out = (  # 192.0.2.1 is TEST-NET-1: reserved, and in the namespace there is no route to it at all
        "import errno, socket\n"
        "probe = socket.socket()\nprobe.settimeout(1)\n"
        "try:\n    probe.connect(('192.0.2.1', 80))\n    ESCAPED = True\n"
        "except OSError as exc:\n    ESCAPED = exc.errno != errno.ENETUNREACH\n"
    )
    check_it = "\n_fetch = fetch\n\ndef fetch(port):\n    return b'escaped' if ESCAPED else _fetch(port)\n"
    with tempfile.TemporaryDirectory() as tmp:
        _write(Path(tmp), {"nat/fetch.py": dial_out + solution + check_it})
        grading = grade(Path(tmp), _options())
    assert _points(grading) == {"nat": {"double": 0, "fetch": 3}}


_FAKE_REPORT = json.dumps({"id": "double", "passed": True, "duration_s": 0.1, "checks": [
    {"name": "Doubles a small number", "passed": True, "message": "", "input": "", "expected": "", "actual": ""}]})


def _malicious(tmp_path: Path) -> dict[str, str]:
    beat, folder = tmp_path / "beat", tmp_path / "subs"
    return {
        "good/double.py": RIGHT_DOUBLE,
        "sleeper/double.py": "import time\nwhile True:\n    time.sleep(1)\n",
        "forker/double.py": ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    while True:\n"
                             f"        open({str(beat)!r}, 'a').write('x')\n        time.sleep(0.05)\n" + RIGHT_DOUBLE),
        "hog/double.py": "chunks = []\nwhile True:\n    chunks.append(bytearray(64 * 2**20))\n",
        "liar/double.py": f"print({_FAKE_REPORT!r})\n" + WRONG_DOUBLE,
        "forger/double.py": ("import os\nfor fd in range(3, 256):\n    try:\n"
                             f"        os.pwrite(fd, {_FAKE_REPORT!r}.encode(), 0)\n"
                             "    except OSError:\n        pass\n" + WRONG_DOUBLE),
        "deleter/double.py": (f"import shutil, pathlib\nshutil.rmtree({str(folder / 'good')!r}, ignore_errors=True)\n"
                              "shutil.rmtree(pathlib.Path(__file__).parents[1], ignore_errors=True)\n" + WRONG_DOUBLE),
        "crasher/double.py": "import ctypes\nctypes.string_at(0)\n",
        "parricide/double.py": "import os, signal\nos.kill(os.getppid(), signal.SIGKILL)\n" + WRONG_DOUBLE,
    }


def _survivors(marker: str) -> list[str]:
    """Return the command lines of processes still running that mention ``marker``."""
    found = []
    for entry in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            line = entry.read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        if marker in line and "pytest" not in line:
            found.append(line)
    return found


def _assert_contained(grading: object, beat: Path) -> None:
    points = {learner: p["double"] for learner, p in _points(grading).items()}
    assert points.pop("good") == 2 and points.pop("forker") == 2
    assert set(points.values()) == {0}, points
    assert grading.errors == []  # type: ignore[attr-defined]
    assert not beat.exists()  # the daemon could not write outside: every file system is read-only to it
    time.sleep(0.2)
    assert _survivors("forker/double.py") == []  # and it is gone


@pytest.mark.slow
def test_malicious_submissions_cost_only_their_own_points(tmp_path: Path) -> None:
    folder = _write(tmp_path / "subs", _malicious(tmp_path))
    start = time.monotonic()
    grading = grade(folder, _options(timeout_s=4.0, memory_mb=512))
    assert time.monotonic() - start < 60
    _assert_contained(grading, tmp_path / "beat")
    why = {r.learner: " ".join(o.message for o in r.reports["double"].outcomes) for r in grading.learners}
    assert "MemoryError" in why["hog"] or "memory" in why["hog"], why["hog"]
    assert "Stopped after 4 s" in why["sleeper"], why["sleeper"]
    assert "-11" in why["crasher"], why["crasher"]
    for learner in ("liar", "forger"):  # judged on their code, not on what they faked
        assert "double(3) is wrong" in why[learner], learner
    # Killing its parent, the subjects' fork server, ends only its own run: named, or judged on what ran first
    # (the fork server's end and the subject's last check race; CI rehearsal, 2 busy cores).
    assert any(text in why["parricide"] for text in ("os.kill", "double(3) is wrong", "without a report")), why["parricide"]


@pytest.mark.slow
def test_without_namespaces_a_warning_is_printed_and_leftovers_still_die(
        tmp_path: Path, no_namespaces: None, capsys: pytest.CaptureFixture[str]) -> None:
    files = _malicious(tmp_path)
    folder = _write(tmp_path / "subs", {k: v for k, v in files.items() if k.split("/")[0] in
                                        {"good", "forker", "parricide", "sleeper"}})
    netns._warned["done"] = False
    grading = grade(folder, _options(timeout_s=8.0))  # 3 s was too short for a checker to start on a busy CI machine
    assert "without network isolation" in capsys.readouterr().err
    _assert_contained(grading, tmp_path / "beat")
    parricide = {r.learner: r for r in grading.learners}["parricide"].reports["double"]
    assert not parricide.passed  # whatever it killed, it ends only its own run
    assert any(text in parricide.outcomes[0].message for text in ("double(3) is wrong", "os.kill", "without a report")), parricide.outcomes[0].message


@pytest.mark.slow
def test_a_stuck_worker_is_stopped_and_a_broken_runner_is_the_graders_error(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(FIXTURES))  # the workers import the runners from there
    folder = _write(tmp_path / "subs", {"amy/double.py": RIGHT_DOUBLE})
    stuck = grade(folder, _options(timeout_s=1.0, runner="runners:hang"))
    [outcome] = stuck.learners[0].reports["double"].outcomes
    assert not outcome.passed and "did not finish in time" in outcome.message
    broken = grade(folder, _options(runner="runners:broken"))
    assert broken.errors and "the sandbox is broken" in broken.errors[0]
    assert _points(broken) == {"amy": {"double": 0, "fetch": 0}}


@pytest.mark.slow
def test_the_judge_gives_the_verdicts_of_the_sandbox() -> None:
    judged = grade(SAMPLES, _options())
    fresh = grade(SAMPLES, _options(runner="perflab.checking.sandbox:check_in_subprocess"))
    verdicts = [{(r.learner, i): [(o.name, o.passed, o.message) for o in rep.outcomes] for r in g.learners
                 for i, rep in r.reports.items()} for g in (judged, fresh)]
    assert verdicts[0] == verdicts[1]


def _run_cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="perflab")
    add_grade_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


@pytest.mark.slow
def test_grade_command_writes_grades_and_a_report_per_learner(tmp_path: Path) -> None:
    folder = tmp_path / "class"
    shutil.copytree(SAMPLES, folder)
    status = _run_cli(["grade", str(folder), "--lang", "ru", "--jobs", "2", "--course-root", str(COURSE)])
    out = tmp_path / "grades"  # the default: next to the submissions
    assert status == 0
    rows = list(csv.reader((out / "grades.csv").open(encoding="utf-8")))
    assert rows[0] == ["learner", "double", "fetch", "total", "max"]
    assert rows[1] == ["alice", "2", "3", "5", "5"] and len(rows) == 6
    page = (out / "learners" / "bob.html").read_text(encoding="utf-8")
    assert '<html lang="ru">' in page and "✗" in page and "✓" in page
    assert 'href="learners/carol.html"' in (out / "index.html").read_text(encoding="utf-8")


def test_grade_command_refuses_a_missing_folder(tmp_path: Path) -> None:
    assert _run_cli(["grade", str(tmp_path / "nothing")]) == 2


@pytest.mark.slow
def test_an_output_folder_inside_the_submissions_is_not_graded(tmp_path: Path) -> None:
    folder = _write(tmp_path, {"amy/double.py": RIGHT_DOUBLE, "out/learners/amy.py": RIGHT_DOUBLE})
    status = _run_cli(["grade", str(folder), "--out", str(folder / "out"), "--course-root", str(COURSE)])
    rows = list(csv.reader((folder / "out" / "grades.csv").open(encoding="utf-8")))
    assert status == 0 and [r[0] for r in rows[1:]] == ["amy"]
