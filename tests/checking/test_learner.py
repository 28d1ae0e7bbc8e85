from __future__ import annotations

import asyncio
import pickle
from pathlib import Path

import nbformat
import pytest
from fixtures.exercise_course import FIXTURE_ROOT, SYNTAX_ERROR

from perflab.checking.learner import ExerciseCellMissing, exercise_cell, exercise_id_of, load_learner, run_source


def _notebook(path: Path, *sources: str) -> Path:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nbformat.write(nb, str(path))
    return path


def test_a_file_runs_in_a_fresh_module_and_gives_its_objects() -> None:
    ns = load_learner(FIXTURE_ROOT / "solutions" / "01_demo" / "double.py", "double")
    assert asyncio.run(ns.require("double")(4)) == 8
    assert ns.source == "double.py"


def test_names_keep_only_what_the_exercise_asks_for(tmp_path: Path) -> None:
    path = tmp_path / "two.py"
    path.write_text("double = 1\nhelper = 2\n", encoding="utf-8")
    assert load_learner(path, "double", ["double", "missing"]).objects == {"double": 1}


def test_the_module_is_registered_so_pickle_and_dataclasses_work(tmp_path: Path) -> None:
    path = tmp_path / "d.py"
    path.write_text(
        "from __future__ import annotations\nfrom dataclasses import dataclass\n\n"
        "@dataclass\nclass Point:\n    x: int\n\ndef double(x):\n    return 2 * x\n", encoding="utf-8"
    )
    ns = load_learner(path, "double")
    assert pickle.loads(pickle.dumps(ns.objects["double"]))(2) == 4
    assert ns.objects["Point"](1).x == 1


def test_top_level_await_works_as_in_a_notebook() -> None:
    objects = run_source("import asyncio\nawait asyncio.sleep(0)\nvalue = 3\n", "cell.py", "perflab_test_await")
    assert objects["value"] == 3


def test_a_syntax_error_and_an_exception_propagate(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(SYNTAX_ERROR, encoding="utf-8")
    with pytest.raises(SyntaxError):
        load_learner(bad, "double")
    with pytest.raises(RuntimeError):
        load_learner(FIXTURE_ROOT / "learner" / "raises_at_import.py", "double")


def test_only_the_exercise_cell_of_a_notebook_runs(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "renamed copy.ipynb",
        "raise RuntimeError('an earlier cell must not run')",
        "# exercise: double\nasync def double(x):\n    return 2 * x",
        "%timeit 1\n# exercise: shout",
    )
    ns = load_learner(nb, "double", ["double"])
    assert asyncio.run(ns.require("double")(5)) == 10


def test_the_last_copy_of_an_exercise_cell_wins_and_magics_are_skipped(tmp_path: Path) -> None:
    nb = _notebook(
        tmp_path / "n.ipynb",
        "# exercise: double\ndef double(x):\n    return 0",
        "# exercise:   double  \n%timeit sum(range(10**9))\n!pip install nothing\ndef double(x):\n    return 2 * x",
    )
    assert load_learner(nb, "double").require("double")(3) == 6


def test_a_notebook_without_the_exercise_cell_says_so(tmp_path: Path) -> None:
    nb = _notebook(tmp_path / "n.ipynb", "x = 1")
    with pytest.raises(ExerciseCellMissing, match="# exercise: double"):
        exercise_cell(nb, "double")


def test_exercise_id_of_reads_only_the_first_line() -> None:
    assert exercise_id_of("# exercise: gather\nx = 1") == "gather"
    assert exercise_id_of("\n#exercise:gather") == "gather"
    assert exercise_id_of("x = 1\n# exercise: gather") is None
    assert exercise_id_of("# exercise: gather extra") is None
