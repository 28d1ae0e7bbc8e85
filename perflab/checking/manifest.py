"""The exercise manifest: ``exercises/manifest.toml`` read into frozen dataclasses, with clear errors.

Every other part of the exercise system (``check()``, ``perflab check``, ``perflab dev check``)
goes through here, so a typo in the manifest fails once, loudly, with the entry and field named.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from perflab.checking.engine import Check
from perflab.errors import PerflabError
from perflab.i18n import _
from perflab.paths import course_root

__all__ = [
    "MANIFEST_PATH",
    "Exercise",
    "Manifest",
    "ManifestError",
    "UnknownExercise",
    "course_root",
    "load_checks",
    "load_manifest",
]

MANIFEST_PATH = "exercises/manifest.toml"
_ID = re.compile(r"^[a-z][a-z0-9_-]*$")
_STRINGS = ("id", "chapter", "title", "task", "stub", "solution", "checks", "answers")
_FIELDS = {*_STRINGS, "names", "points", "hints"}


class ManifestError(PerflabError, ValueError):
    """The manifest is missing, is not valid TOML, or an entry lacks or misspells a field."""


class UnknownExercise(PerflabError, KeyError):
    """No exercise in the manifest has the id asked for."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


@dataclass(frozen=True)
class Exercise:
    """One ``[[exercise]]`` entry; paths are relative to the course root."""

    id: str
    chapter: str
    title: str
    task: str  # what to build, in full: an English msgid, shown translated by `perflab task ID`
    stub: str
    solution: str
    checks: str
    names: tuple[str, ...]
    points: int
    hints: tuple[str, ...]
    answers: str


@dataclass(frozen=True)
class Manifest:
    """Every exercise, in manifest order, and the course root the paths are relative to."""

    root: Path
    exercises: tuple[Exercise, ...]

    def __getitem__(self, exercise_id: str) -> Exercise:
        for exercise in self.exercises:
            if exercise.id == exercise_id:
                return exercise
        known = ", ".join(e.id for e in self.exercises) or "-"
        raise UnknownExercise(_('There is no exercise "{id}". Exercises: {known}', id=exercise_id, known=known))

    @property
    def ids(self) -> list[str]:
        """The exercise ids, in manifest order."""
        return [e.id for e in self.exercises]



def _fail(where: str, message: str) -> ManifestError:
    return ManifestError(f"{MANIFEST_PATH}: {where}: {message}")


def _string_list(entry: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = entry[key]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(where, _("`{key}` must be a non-empty list of texts.", key=key))
    return tuple(value)


def _exercise(entry: object, index: int) -> Exercise:
    where = _("exercise #{number}", number=index + 1)
    if not isinstance(entry, dict):
        raise _fail(where, _("each [[exercise]] must be a table."))
    where = f"{where} ({entry.get('id', '?')})"
    unknown, missing = sorted(set(entry) - _FIELDS), sorted(_FIELDS - set(entry))
    if unknown or missing:
        raise _fail(where, _("unknown fields: {unknown}; missing fields: {missing}",
                             unknown=", ".join(unknown) or "-", missing=", ".join(missing) or "-"))
    for key in _STRINGS:
        if not isinstance(entry[key], str) or not entry[key].strip():
            raise _fail(where, _("`{key}` must be a non-empty text.", key=key))
    if not _ID.match(entry["id"]):
        raise _fail(where, _("`id` must be lower case letters, digits, - or _, got {value}.", value=repr(entry["id"])))
    points = entry["points"]
    if not isinstance(points, int) or isinstance(points, bool) or points < 1:
        raise _fail(where, _("`points` must be a whole number of at least 1, got {value}.", value=repr(points)))
    names = _string_list(entry, "names", where)
    if not all(name.isidentifier() for name in names):
        raise _fail(where, _("every entry of `names` must be a Python name, got {value}.", value=list(names)))
    fields = {key: entry[key] for key in _STRINGS}
    return Exercise(**fields, names=names, points=points, hints=_string_list(entry, "hints", where))


def load_manifest(root: Path | None = None) -> Manifest:
    """Read and validate ``exercises/manifest.toml`` under ``root``.

    Args:
        root: The course root. Defaults to ``course_root()``.
    """
    root = (root or course_root()).resolve()
    path = root / MANIFEST_PATH
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ManifestError(_("The exercise manifest {path} does not exist.", path=path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ManifestError(f"{MANIFEST_PATH}: " + _("not valid TOML: {error}", error=exc)) from None
    entries = data.get("exercise", [])
    if set(data) - {"exercise"} or not isinstance(entries, list):
        raise ManifestError(f"{MANIFEST_PATH}: " + _("only [[exercise]] tables belong here."))
    exercises = tuple(_exercise(entry, i) for i, entry in enumerate(entries))
    seen: set[str] = set()
    for exercise in exercises:
        if exercise.id in seen:
            raise ManifestError(f"{MANIFEST_PATH}: " + _('the id "{id}" is used twice.', id=exercise.id))
        seen.add(exercise.id)
    return Manifest(root, exercises)


_from_files: dict[Path, ModuleType] = {}


def _import(dotted: str, root: Path) -> ModuleType:
    path = (root / (dotted.replace(".", "/") + ".py")).resolve()
    try:
        module = importlib.import_module(dotted)
        # Two courses may both have a "fixture_checks.double": the cached one may belong to the other.
        if not path.is_file() or Path(module.__file__ or "").resolve() == path:
            return module
    except ModuleNotFoundError as exc:
        if not (exc.name and dotted.startswith(exc.name)):
            raise  # the checks module exists but imports something missing
    return _import_file(dotted, path)


def _import_file(dotted: str, path: Path) -> ModuleType:
    """Load a checks module from a file inside the course root, once per file."""
    if path in _from_files:
        return _from_files[path]
    spec = importlib.util.spec_from_file_location(f"{dotted}@{len(_from_files)}", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise ManifestError(_('The checks module "{module}" cannot be found.', module=dotted))
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look modules up by name
    spec.loader.exec_module(module)
    _from_files[path] = module
    return module


def load_checks(exercise: Exercise, root: Path) -> list[Check]:
    """Import the exercise's checks module and return its ``CHECKS``.

    Args:
        exercise: The manifest entry.
        root: The course root, where a checks module that is not importable is looked for.
    """
    module = _import(exercise.checks, root)
    checks = getattr(module, "CHECKS", None)
    if not isinstance(checks, list) or not checks or not all(isinstance(c, Check) for c in checks):
        raise ManifestError(_('"{module}" must define CHECKS, a non-empty list of Check.', module=exercise.checks))
    return checks
