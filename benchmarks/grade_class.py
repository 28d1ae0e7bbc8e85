"""Does a class of 30 grade in two minutes? Generate 30 submissions, grade them, print the time.

The submissions mix what a real class hands in: copies of the solutions, untouched stubs, known
wrong answers (``tests/answers/<id>/wrong_*.py``), notebooks and flat files, one submission that
hangs and one that crashes. They come from the course's exercises when ``exercises/manifest.toml``
exists, else from the grading tests' two-exercise fixture course. The goal is 120 s or less on
the two-core course machine; the run also checks that every solution passed and every stub failed.

Usage::

    .venv/bin/python benchmarks/grade_class.py
    .venv/bin/python benchmarks/grade_class.py --learners 30 --jobs 2 --out /tmp/grades
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from perflab.grading.report import write_outputs
from perflab.grading.batch import DEFAULT_RUNNER, GradeOptions, grade
from perflab.checking.manifest import Exercise, Manifest, ManifestError, load_manifest

__all__ = ["GOAL_S", "course", "main", "make_class", "surprises"]

GOAL_S = 120.0
ROOT = Path(__file__).resolve().parent.parent
HANGS = "import time\n\nwhile True:  # the learner's endless loop\n    time.sleep(1)\n"
CRASHES = "import os\n\nos.abort()  # the process dies with SIGABRT\n"


def course() -> Manifest:
    """Return the course's manifest, or the fixture course's when the course has no exercises yet."""
    try:
        return load_manifest(ROOT)
    except ManifestError:
        return load_manifest(ROOT / "tests" / "fixtures" / "grading" / "course")


def _variant(manifest: Manifest, exercise: Exercise, learner: int) -> tuple[str, str]:
    """Return (kind, source) of one learner's answer: mostly solutions, some stubs and wrong answers."""
    root = manifest.root
    if learner == 7 and exercise == manifest.exercises[0]:
        return "hangs", HANGS
    if learner == 13 and exercise == manifest.exercises[-1]:
        return "crashes", CRASHES
    wrong = sorted((ROOT / "tests" / "answers" / exercise.id).glob("wrong_*.py"))
    if learner % 6 == 1:
        return "stub", (root / exercise.stub).read_text(encoding="utf-8")
    if learner % 6 == 3 and wrong:
        return "wrong", wrong[learner % len(wrong)].read_text(encoding="utf-8")
    return "solution", (root / exercise.solution).read_text(encoding="utf-8")


def make_class(manifest: Manifest, folder: Path, learners: int) -> dict[tuple[str, str], str]:
    """Write ``learners`` submissions into ``folder``; return the kind of each (learner, exercise).

    Every fifth learner hands in one notebook, every seventh flat ``<learner>__<id>.py`` files,
    the rest a folder of exercise files named like the stubs.

    Args:
        manifest: The course.
        folder: Where the submissions go.
        learners: How many learners.
    """
    kinds: dict[tuple[str, str], str] = {}
    for i in range(learners):
        name = f"learner{i:02d}"
        answers = {e: _variant(manifest, e, i) for e in manifest.exercises}
        kinds.update({(name, e.id): kind for e, (kind, _src) in answers.items()})
        if i % 5 == 4:
            cells = [nbformat.v4.new_code_cell(f"# exercise: {e.id}\n{src}") for e, (_k, src) in answers.items()]
            (folder / name).mkdir()
            nbformat.write(nbformat.v4.new_notebook(cells=cells), folder / name / "course.ipynb")
        for e, (_kind, src) in answers.items() if i % 5 != 4 else ():
            path = folder / f"{name}__{e.id}.py" if i % 7 == 6 else folder / name / Path(e.stub).name
            path.parent.mkdir(exist_ok=True)
            path.write_text(src, encoding="utf-8")
    return kinds


def surprises(grading_reports: dict[tuple[str, str], bool], kinds: dict[tuple[str, str], str]) -> list[str]:
    expected = {"solution": True, "stub": False, "wrong": False, "hangs": False, "crashes": False}
    return [f"{learner} / {exercise_id}: {kind} {'passed' if grading_reports.get((learner, exercise_id)) else 'failed'}"
            for (learner, exercise_id), kind in sorted(kinds.items())
            if grading_reports.get((learner, exercise_id), False) != expected[kind]]


def main(argv: list[str] | None = None) -> int:
    """Generate the class, grade it, print the time, and return 0 when it met the goal and graded right.

    Args:
        argv: The arguments. Defaults to ``sys.argv[1:]``.
    """
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--jobs", type=int, default=0, help="exercises at once; 0 means one per CPU")
    parser.add_argument("--timeout-s", type=float, default=60.0, help="as perflab grade's default")
    parser.add_argument("--out", type=Path, help="keep the grades here")
    parser.add_argument("--runner", default=DEFAULT_RUNNER, help="e.g. perflab.checking.sandbox:check_in_subprocess")
    args = parser.parse_args(argv)
    manifest = course()
    with tempfile.TemporaryDirectory(prefix="perflab-class-") as tmp:
        folder = Path(tmp) / "submissions"
        folder.mkdir()
        kinds = make_class(manifest, folder, args.learners)
        options = GradeOptions(root=manifest.root, lang="en", jobs=args.jobs, timeout_s=args.timeout_s,
                               runner=args.runner)
        start = time.perf_counter()
        grading = grade(folder, options)
        written = write_outputs(grading, args.out or Path(tmp) / "grades")
        wall_s = time.perf_counter() - start
    passed = {(r.learner, i): rep.passed for r in grading.learners for i, rep in r.reports.items()}
    unexpected = surprises(passed, kinds) + grading.errors
    print(f"course: {manifest.root} ({', '.join(manifest.ids)})")
    print(f"isolation: network={grading.isolation.network} processes={grading.isolation.processes}; "
          f"runner: {args.runner}; jobs: {args.jobs or 'one per CPU'}")
    print(f"{args.learners} learners, {len(kinds)} exercises graded in {wall_s:.1f} s "
          f"(goal {GOAL_S:.0f} s): {'OK' if wall_s <= GOAL_S else 'TOO SLOW'}")
    print(f"grades: {written.csv}" if args.out else "grades: written to a temporary folder (use --out to keep)")
    for line in unexpected:
        print(f"unexpected: {line}")
    return 0 if wall_s <= GOAL_S and not unexpected else 1


if __name__ == "__main__":
    sys.exit(main())
