"""A notebook's exercise cell and a file with the same code get the same verdict, check by check, in every exercise."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from perflab.checking.manifest import Exercise, load_manifest
from perflab.checking.sandbox import check_in_subprocess

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = load_manifest(ROOT).exercises if (ROOT / "exercises" / "manifest.toml").exists() else []


def _verdicts(exercise_id: str, path: Path) -> list[tuple[str, bool]]:
    report = check_in_subprocess(exercise_id, path, lang="en", root=ROOT)
    return [(o.name, o.passed) for o in report.outcomes]


@pytest.mark.slow
@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_a_notebook_and_a_file_get_the_same_verdict(exercise: Exercise, tmp_path: Path) -> None:
    for kind in ("stub", "solution"):
        code = (ROOT / getattr(exercise, kind)).read_text(encoding="utf-8")
        cells = [nbformat.v4.new_markdown_cell("My work"), nbformat.v4.new_code_cell("x = 1  # an earlier cell"),
                 nbformat.v4.new_code_cell(f"# exercise: {exercise.id}\n{code}")]
        notebook = tmp_path / f"{kind}.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=cells), notebook)
        from_file = _verdicts(exercise.id, ROOT / getattr(exercise, kind))
        assert _verdicts(exercise.id, notebook) == from_file, kind
        assert all(passed for _name, passed in from_file) == (kind == "solution")
