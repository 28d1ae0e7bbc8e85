"""Every course exercise can be solved and checked in a notebook: the stub fails and the solution passes, in a real kernel."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from perflab.checking.manifest import load_manifest

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = load_manifest(ROOT).exercises


def _verdict_cells(source: str, exercise_id: str) -> list[nbformat.NotebookNode]:
    check = f"from perflab import check\nreport = check({exercise_id!r})\nprint('VERDICT', report.passed)\nreport"
    return [nbformat.v4.new_code_cell(f"# exercise: {exercise_id}\n{source}"), nbformat.v4.new_code_cell(check)]


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("exercise", EXERCISES, ids=[e.id for e in EXERCISES])
def test_stub_fails_and_solution_passes_in_a_notebook(exercise: object) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import perflab\nperflab.use_language('ru')")]
    for kind in ("stub", "solution"):
        nb.cells += _verdict_cells((ROOT / getattr(exercise, kind)).read_text(encoding="utf-8"), exercise.id)
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}}).execute()
    printed = ["".join(o.get("text", "") for o in cell.outputs) for cell in nb.cells[2::2]]
    assert "VERDICT False" in printed[0] and "VERDICT True" in printed[1], printed
    html = "".join(o.get("data", {}).get("text/html", "") for cell in nb.cells[2::2] for o in cell.outputs)
    assert "perflab-check" in html and "✓" in html and "✗" in html
