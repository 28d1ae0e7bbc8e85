from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.exercise_course import FIXTURE_ROOT

from perflab.build.exercise_cells import expand_exercise_cells
from perflab.checking.learner import exercise_id_of
from perflab.checking.manifest import UnknownExercise

STUB = (FIXTURE_ROOT / "exercises" / "01_demo" / "double.py").read_text(encoding="utf-8")


def test_a_marker_cell_becomes_the_marker_and_the_stub() -> None:
    cell = expand_exercise_cells("# exercise: double", FIXTURE_ROOT)
    assert cell == "# exercise: double\n" + STUB.rstrip("\n")
    assert exercise_id_of(cell) == "double"


def test_other_cells_are_unchanged() -> None:
    for source in ["x = 1", "# exercise: double\nx = 1", "print('# exercise: double')", ""]:
        assert expand_exercise_cells(source, FIXTURE_ROOT) == source


def test_a_whole_myst_chapter_is_expanded(tmp_path: Path) -> None:
    chapter = (FIXTURE_ROOT / "chapters" / "01_demo.md").read_text(encoding="utf-8")
    expanded = expand_exercise_cells(chapter, FIXTURE_ROOT)
    assert ":id: double-exercise\n\n# exercise: double\n" + STUB.rstrip("\n") + "\n```" in expanded
    assert expand_exercise_cells(expanded, FIXTURE_ROOT) == expanded, "expanding twice changes nothing"


def test_an_unknown_exercise_is_an_error() -> None:
    with pytest.raises(UnknownExercise):
        expand_exercise_cells("# exercise: tripple", FIXTURE_ROOT)
