"""The learner's progress: each exercise's last verdict and how many hints were shown.

It lives in ``.perflab/state.json`` at the course root, which git ignores. Writes are atomic
(a temporary file, then ``os.replace``) and locked, so a notebook and ``perflab watch`` can
record at the same time, and a crash never leaves half a file.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

__all__ = [
    "STATE_PATH",
    "ExerciseState",
    "load_state",
    "record_check",
    "record_reset",
    "reveal_hint",
    "state_path",
]

STATE_PATH = ".perflab/state.json"


@dataclass(frozen=True)
class ExerciseState:
    """What we know of one exercise: ``status`` is "not started", "failing" or "passed"."""

    status: str = "not started"
    attempts: int = 0
    ever_passed: bool = False
    hints_shown: int = 0
    last_checked: str = ""
    hint_cell: str = ""  # the notebook cell that revealed the last hint: running it again reveals no more


def state_path(root: Path) -> Path:
    """Return the state file of the course at ``root``.

    Args:
        root: The course root.
    """
    return root / STATE_PATH


def _parse(text: str) -> dict[str, ExerciseState]:
    known = {f.name for f in fields(ExerciseState)}
    data = json.loads(text).get("exercises", {})
    return {key: ExerciseState(**{k: v for k, v in value.items() if k in known}) for key, value in data.items()}


def load_state(root: Path) -> dict[str, ExerciseState]:
    """Return every exercise's state; an exercise never touched is absent.

    A damaged file is kept beside as ``state.json.damaged`` and progress starts afresh.

    Args:
        root: The course root.
    """
    path = state_path(root)
    try:
        return _parse(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (ValueError, TypeError, AttributeError):
        os.replace(path, path.with_name(path.name + ".damaged"))
        return {}


def _write(path: Path, states: dict[str, ExerciseState]) -> None:
    text = json.dumps({"exercises": {k: asdict(v) for k, v in sorted(states.items())}}, indent=1)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(text + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    path = state_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name("state.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _update(root: Path, exercise_id: str, change: Callable[[ExerciseState], ExerciseState]) -> ExerciseState:
    with _locked(root):
        states = load_state(root)
        states[exercise_id] = new = change(states.get(exercise_id, ExerciseState()))
        _write(state_path(root), states)
    return new


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S")


def record_check(root: Path, exercise_id: str, passed: bool) -> ExerciseState:
    """Record one check of an exercise and return its new state.

    Args:
        root: The course root.
        exercise_id: The exercise's id.
        passed: Whether every check passed.
    """
    def change(old: ExerciseState) -> ExerciseState:
        return replace(old, status="passed" if passed else "failing", attempts=old.attempts + 1,
                       ever_passed=old.ever_passed or passed, last_checked=_now())

    return _update(root, exercise_id, change)


def reveal_hint(root: Path, exercise_id: str, total: int, cell: str = "") -> int:
    """Reveal the next hint tier and return how many hints are now shown (at most ``total``).

    The notebook cell that revealed the last hint reveals no more when it runs again (Run All, say):
    it shows the same hints. Another cell, or the terminal, reveals the next.

    Args:
        root: The course root.
        exercise_id: The exercise's id.
        total: How many hints the exercise has.
        cell: The id of the notebook cell that asks. Defaults to none (a terminal).
    """

    def change(old: ExerciseState) -> ExerciseState:
        if cell and old.hint_cell == cell and old.hints_shown:
            return old
        return replace(old, hints_shown=min(old.hints_shown + 1, total), hint_cell=cell)

    return _update(root, exercise_id, change).hints_shown


def record_reset(root: Path, exercise_id: str) -> ExerciseState:
    """Mark an exercise as not started after its stub is restored; a pass earned stays earned.

    Args:
        root: The course root.
        exercise_id: The exercise's id.
    """
    return _update(root, exercise_id, lambda old: replace(old, status="not started", attempts=0))
