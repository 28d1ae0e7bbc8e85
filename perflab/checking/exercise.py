"""The notebook API: ``check("<id>")`` grades the live objects at once, ``hint("<id>")`` shows the next hint.

``check`` finds the learner's objects by the names the manifest lists, in the notebook's globals,
or takes them as arguments. It never depends on the notebook's file name or on cell order, and it
runs in the kernel, so it sees exactly what the learner sees. Each check is bounded in time and
runs on its own thread, so learner code that loops, blocks or exits costs a verdict, not the kernel.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from perflab.checking.engine import Namespace, Report, run_checks
from perflab.checking.learner import last_exercise_cell
from perflab.errors import PerflabError
from perflab.i18n import _, ngettext
from perflab.checking.manifest import Exercise, load_checks, load_manifest
from perflab.checking.progress_state import record_check, reveal_hint

__all__ = ["CheckUsageError", "Hints", "Task", "check", "hint", "learner_objects", "next_hints", "task", "task_of"]


class CheckUsageError(PerflabError, TypeError):
    """``check()`` was given more objects than the exercise asks for, or a name it does not know."""


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _caller_globals(depth: int) -> Mapping[str, Any]:
    shell = _shell()
    if shell is not None:
        return dict(shell.user_ns)
    return sys._getframe(depth + 1).f_globals


def _exercise_code(exercise_id: str) -> str | None:
    """Return the last cell this kernel ran that starts with ``# exercise: <id>``, as plain Python."""
    shell = _shell()
    history = shell.user_ns.get("In", []) if shell is not None else []
    return last_exercise_cell([str(cell) for cell in history], exercise_id)


def learner_objects(exercise: Exercise, objects: Sequence[Any], named: Mapping[str, Any],
                    scope: Mapping[str, Any]) -> dict[str, Any]:
    """Return the exercise's names mapped to the learner's objects: arguments first, then ``scope``.

    Args:
        exercise: The manifest entry; its ``names`` are what the checks look for.
        objects: Objects given in the order of ``names``.
        named: Objects given by name.
        scope: Where the other names are looked up: the notebook's globals.
    """
    names = list(exercise.names)
    if len(objects) > len(names):
        raise CheckUsageError(ngettext('check("{id}") takes at most {n} object: {names}.',
                                       'check("{id}") takes at most {n} objects: {names}.', len(names),
                                       id=exercise.id, names=", ".join(names)))
    unknown = sorted(set(named) - set(names))
    if unknown:
        raise CheckUsageError(_('check("{id}") does not know {unknown}; it looks for {names}.',
                                id=exercise.id, unknown=", ".join(unknown), names=", ".join(names)))
    found = {name: scope[name] for name in names if name in scope}
    return {**found, **dict(zip(names, objects)), **named}


def _record(root: Path, exercise_id: str, passed: bool) -> None:
    try:
        record_check(root, exercise_id, passed)
    except OSError:
        pass  # a read-only course folder must not cost the learner the verdict


def check(exercise_id: str, *objects: Any, **named: Any) -> Report:
    """Run an exercise's checks now against the learner's live objects, and return the report.

    Usage::

        check("gather")        # finds `app` (or whatever the exercise names) in the notebook
        check("gather", app)   # or is given it

    Args:
        exercise_id: The exercise's id, as in ``exercises/manifest.toml``.
        *objects: The learner's objects, in the order of the exercise's ``names``. Defaults to none.
        **named: The learner's objects by name. Defaults to none.
    """
    manifest = load_manifest()
    exercise = manifest[exercise_id]
    scope = _caller_globals(1)
    namespace = Namespace(learner_objects(exercise, objects, named, scope), source="notebook",
                          code=_exercise_code(exercise.id))
    report = run_checks(exercise.id, load_checks(exercise, manifest.root), namespace)
    _record(manifest.root, exercise.id, report.passed)
    return report


@dataclass(frozen=True)
class Task:
    """What an exercise asks for, in full and in the learner's language; Markdown in Jupyter."""

    exercise_id: str
    title: str
    text: str

    def __str__(self) -> str:
        return f"{self.exercise_id}: {self.title}\n\n{self.text}"

    def _repr_markdown_(self) -> str:
        return f"**{self.title}** (`{self.exercise_id}`)\n\n{self.text}"


def task(exercise_id: str) -> Task:
    """Show what an exercise asks you to build, in full, in your language.

    Args:
        exercise_id: The exercise's id, as in ``exercises/manifest.toml``.
    """
    return task_of(load_manifest()[exercise_id])


def task_of(exercise: Exercise) -> Task:
    """Return an exercise's title and full task, translated.

    Args:
        exercise: The manifest entry.
    """
    return Task(exercise.id, _(exercise.title), _(exercise.task))


@dataclass(frozen=True)
class Hints:
    """The hints shown so far for one exercise, already translated; text in a terminal, HTML in Jupyter."""

    exercise_id: str
    shown: tuple[str, ...]
    total: int

    def _lines(self) -> list[str]:
        lines = [_("Hint {number} of {total}: {text}", number=i + 1, total=self.total, text=text)
                 for i, text in enumerate(self.shown)]
        if len(self.shown) >= self.total:
            lines.append(_("That was the last hint. After you pass, `perflab solution {id}` in a terminal shows a solution.",
                           id=self.exercise_id))
        return lines

    def __str__(self) -> str:
        return "\n".join(self._lines())

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(line)}</li>" for line in self._lines())
        return f'<div class="perflab-hint"><b>{html.escape(self.exercise_id)}</b><ul>{items}</ul></div>'


def next_hints(root: Path, exercise: Exercise, cell: str = "") -> Hints:
    """Reveal the next hint tier of ``exercise`` and return every hint shown so far.

    Args:
        root: The course root, where progress is kept.
        exercise: The manifest entry.
        cell: The notebook cell that asks; run again, it shows the same hints. Defaults to none.
    """
    try:
        count = reveal_hint(root, exercise.id, len(exercise.hints), cell)
    except OSError:
        count = len(exercise.hints)  # nowhere to remember tiers: show them all rather than none
    return Hints(exercise.id, tuple(_(text) for text in exercise.hints[:count]), len(exercise.hints))


def _cell_id() -> str:
    """Return the id of the notebook cell running now (JupyterLab sends it), or "" outside a notebook."""
    try:
        from IPython import get_ipython

        kernel = getattr(get_ipython(), "kernel", None)
        parent = kernel.get_parent() if kernel is not None else {}
        return str((parent or {}).get("metadata", {}).get("cellId") or "")
    except Exception:  # an older kernel, or none: every call reveals the next hint
        return ""


def hint(exercise_id: str) -> Hints:
    """Show the next hint for an exercise, with the ones before it; the same cell run again shows the same.

    Args:
        exercise_id: The exercise's id, as in ``exercises/manifest.toml``.
    """
    manifest = load_manifest()
    return next_hints(manifest.root, manifest[exercise_id], _cell_id())
