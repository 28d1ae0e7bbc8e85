"""The grades and reports: all-or-nothing points, one CSV row per learner, escaped HTML."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from perflab.checking.engine import Outcome, Report
from perflab.grading.report import Grading, LearnerResult, learner_html, write_grades_csv, write_outputs
from perflab.i18n import use_language
from perflab.checking.manifest import Exercise
from perflab.grading.netns import Isolation

_EVIL = "<script>alert('x')</script>"


def _exercise(exercise_id: str, points: int) -> Exercise:
    return Exercise(exercise_id, "01_x", f"Title of {exercise_id}", f"Task of {exercise_id}",
                    f"exercises/01_x/{exercise_id}.py", f"solutions/01_x/{exercise_id}.py", f"checks.{exercise_id}",
                    ("app",), points, ("hint",), "a")


def _grading() -> Grading:
    exercises = (_exercise("gather", 3), _exercise("cache", 2))
    passed = Report("gather", [Outcome("Answers at once", True), Outcome("Labels", True)], 1.2)
    failed = Report("gather", [Outcome("Answers at once", True),
                               Outcome(f"Labels {_EVIL}", False, f"wrong {_EVIL}", "7", "{'a': 1}", _EVIL)], 0.8)
    learners = [
        LearnerResult("ann", {"gather": passed}, {"gather": "gather.py"}),
        LearnerResult(f"=HYPERLINK(\"x\") {_EVIL}", {"gather": failed}, {"gather": f"nb {_EVIL}.ipynb"},
                      [f"notes {_EVIL}.txt: not an exercise file or notebook."]),
        LearnerResult("a b", {}, {}),
        LearnerResult("a_b", {}, {}),
    ]
    return Grading(exercises, learners, [f"{_EVIL}.zip: not a learner's folder"], Isolation(reason="off in tests"), 3.0)


def test_points_are_all_or_nothing_and_missing_exercises_count_zero() -> None:
    grading = _grading()
    gather, cache = grading.exercises
    ann, evil, *_rest = grading.learners
    assert (ann.points(gather), ann.points(cache), ann.total(grading.exercises)) == (3, 0, 3)
    assert evil.total(grading.exercises) == 0 and grading.max_points == 5


def test_the_csv_has_a_row_per_learner_and_no_formulas(tmp_path: Path) -> None:
    rows = list(csv.reader(write_grades_csv(_grading(), tmp_path / "g.csv").open(encoding="utf-8")))
    assert rows[0] == ["learner", "gather", "cache", "total", "max"]
    assert rows[1] == ["ann", "3", "0", "3", "5"]
    assert rows[2][0].startswith("'=HYPERLINK") and rows[2][1:] == ["0", "0", "0", "5"]
    assert len(rows) == 5


def test_a_learner_page_escapes_everything_and_shows_each_check() -> None:
    grading = _grading()
    page = learner_html(grading, grading.learners[1])
    assert "<script>" not in page and "&lt;script&gt;" in page
    for text in ("✗", "✓", "Answers at once", "wrong &lt;script&gt;", "{&#x27;a&#x27;: 1}", "Not submitted."):
        assert text in page, text
    assert "0 of 5 points" in page and "0 of 3 points" in page


def test_outputs_link_every_learner_to_a_distinct_page(tmp_path: Path) -> None:
    written = write_outputs(_grading(), tmp_path / "out")
    pages = sorted(p.name for p in written.learners.values())
    assert len(set(pages)) == 4 and "a_b.html" in pages and "a_b-2.html" in pages
    index = written.index.read_text(encoding="utf-8")
    assert "<script>" not in index and "off in tests" in index
    for page in pages:
        assert f'href="learners/{page}"' in index


@pytest.mark.parametrize("lang", ["bn", "ru"])
def test_reports_are_in_the_chosen_language(lang: str) -> None:
    use_language(lang)
    grading = _grading()
    assert f'<html lang="{lang}">' in learner_html(grading, grading.learners[0])
