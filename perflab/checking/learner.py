"""Turn a learner's code into a ``Namespace``: a ``.py`` file, or the exercise cell of a notebook.

A file runs in a fresh module of its own, as ``import`` would run it. A notebook is never run
whole: only its code cell that starts with ``# exercise: <id>`` is, which is the cell the build
generates from the stub, so renaming the notebook or reordering its cells changes nothing.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import json
import re
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from perflab.checking.engine import Namespace
from perflab.errors import PerflabError
from perflab.i18n import _

__all__ = ["ExerciseCellMissing", "exercise_cell", "exercise_id_of", "last_exercise_cell", "learner_source", "load_learner",
           "run_source"]

_MARK = re.compile(r"^#\s*exercise:\s*(\S+)\s*$")


class ExerciseCellMissing(PerflabError, LookupError):
    """A notebook has no code cell that starts with ``# exercise: <id>``."""


def exercise_id_of(source: str) -> str | None:
    """Return ``<id>`` if the first line of ``source`` is ``# exercise: <id>``, else None.

    Args:
        source: A code cell's source.
    """
    first = source.lstrip("\n").split("\n", 1)[0]
    match = _MARK.match(first.strip())
    return match.group(1) if match else None


def exercise_cell(notebook: Path, exercise_id: str) -> str:
    """Return the source of the notebook's exercise cell for ``exercise_id`` (the last one, if copied).

    Args:
        notebook: An ``.ipynb`` file.
        exercise_id: The exercise's id.
    """
    # Plain JSON, not nbformat: its schema validator takes seconds to import in every check process.
    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    code = ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
    source = last_exercise_cell(code, exercise_id)
    if source is None:
        raise ExerciseCellMissing(
            _('{notebook} has no code cell that starts with "# exercise: {id}". '
              "Keep that first line in the cell you solve the exercise in.", notebook=notebook.name, id=exercise_id)
        )
    return source


def last_exercise_cell(sources: Sequence[str], exercise_id: str) -> str | None:
    """Return the last of ``sources`` that starts with ``# exercise: <id>``, or None.

    Args:
        sources: Code cells' sources, oldest first (a notebook's cells, or a kernel's input history).
        exercise_id: The exercise's id.
    """
    found = [source for source in sources if exercise_id_of(source) == exercise_id]
    return found[-1] if found else None


def _plain_python(source: str) -> str:
    # A notebook cell may hold %magics or !shell lines; IPython turns them into plain calls.
    try:
        from IPython.core.inputtransformer2 import TransformerManager
    except ImportError:
        return source
    return str(TransformerManager().transform_cell(source))


class _NoKernel:
    """Stands in for ``get_ipython()`` when a notebook cell runs outside a kernel.

    A cell's %magics and !shell lines (a %timeit the learner tried, a !pip) are experiments,
    not part of the answer, so grading skips them instead of failing on them.
    """

    def run_line_magic(self, *args: Any, **kwargs: Any) -> None:
        """Skip a %magic line."""

    def run_cell_magic(self, *args: Any, **kwargs: Any) -> None:
        """Skip a %%magic cell."""

    def system(self, *args: Any, **kwargs: Any) -> None:
        """Skip a !shell line."""

    getoutput = system


def run_source(source: str, filename: str, module_name: str) -> dict[str, Any]:
    """Run ``source`` in a fresh module registered as ``module_name`` and return its globals.

    Top-level ``await`` works, as in a notebook cell. A syntax error or an exception propagates.

    Args:
        source: The Python source.
        filename: Shown in tracebacks and syntax errors.
        module_name: The module's ``__name__``; registered in ``sys.modules`` so that dataclasses,
            pydantic and pickling (process pools) find the module.
    """
    code = compile(source, filename, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT, dont_inherit=True)
    module = types.ModuleType(module_name)
    module.__file__ = filename
    sys.modules[module_name] = module
    if "get_ipython()" in source:  # a notebook cell's %magics, turned into calls by _plain_python
        module.__dict__["get_ipython"] = _NoKernel
    result = eval(code, module.__dict__)  # noqa: S307 - running the learner's code is the point
    if inspect.iscoroutine(result):
        asyncio.run(result)
    return module.__dict__


def learner_source(path: Path, exercise_id: str) -> str:
    """Return the learner's code as it runs: a ``.py`` file whole, or a notebook's exercise cell as plain Python.

    Args:
        path: A ``.py`` file or an ``.ipynb`` notebook.
        exercise_id: The exercise's id: picks the notebook cell.
    """
    if path.suffix == ".ipynb":
        return _plain_python(exercise_cell(path, exercise_id))
    return path.read_text(encoding="utf-8")


def load_learner(path: Path, exercise_id: str, names: Sequence[str] | None = None) -> Namespace:
    """Run a learner's ``.py`` file, or a notebook's exercise cell, and return its objects.

    Args:
        path: A ``.py`` file or an ``.ipynb`` notebook.
        exercise_id: The exercise's id: picks the notebook cell and names the module.
        names: Keep only these names, as ``check()`` does in a notebook. Defaults to every global.
    """
    module_name = "perflab_exercise_" + re.sub(r"\W", "_", exercise_id)
    source = learner_source(path, exercise_id)
    objects = run_source(source, str(path), module_name)
    if names is not None:
        objects = {name: objects[name] for name in names if name in objects}
    return Namespace(objects, source=path.name, code=source)
