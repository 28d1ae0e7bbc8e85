"""Grading a class of eight on four exercises, as ``benchmarks/grade_class.py`` grades thirty: every verdict is expected."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from perflab.checking.manifest import Manifest
from perflab.grading.batch import GradeOptions, grade

ROOT = Path(__file__).resolve().parents[2]
LEARNERS = 8  # a notebook (learner 4), flat files (6), folders, stubs (1), wrong answers (3) and a hang (7)
# The exercises whose grading differs: the first takes the hang, etag runs several server processes,
# json_speed compares timings, keyset builds a database. The others grade as these do; the benchmark
# grades them all.
EXERCISES = ("fix_blocking", "etag", "json_speed", "keyset")


def _benchmark() -> ModuleType:
    spec = importlib.util.spec_from_file_location("grade_class", ROOT / "benchmarks" / "grade_class.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_a_class_of_eight_gets_exactly_the_expected_verdicts(tmp_path: Path) -> None:
    bench = _benchmark()
    course = bench.course()
    manifest = Manifest(course.root, tuple(course[i] for i in EXERCISES))
    folder = tmp_path / "submissions"
    folder.mkdir()
    kinds = bench.make_class(manifest, folder, LEARNERS)
    # 20 s: the hanging learner costs that much; every other exercise takes a few seconds.
    grading = grade(folder, GradeOptions(root=manifest.root, lang="en", timeout_s=20.0))
    passed = {(r.learner, i): rep.passed for r in grading.learners for i, rep in r.reports.items()}
    why = {f"{r.learner} / {i}": [f"{o.name}: {o.message}" for o in rep.outcomes if not o.passed]
           for r in grading.learners for i, rep in r.reports.items()}
    surprises = bench.surprises(passed, kinds)
    assert surprises + grading.errors == [], {s: why.get(s.rsplit(":", 1)[0]) for s in surprises}
