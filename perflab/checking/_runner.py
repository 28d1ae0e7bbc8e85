"""The check process: ``python -m perflab.checking._runner ID PATH --report FILE [--lang xx]``.

``perflab.checking.sandbox`` starts it with limits on memory and CPU time. It runs the learner's file as a
check of its own (bounded like any other), then the exercise's checks, and writes the report as
JSON to the file the parent named, never to stdout, so nothing the learner prints can corrupt it.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from perflab.serving.lifetime import become_subreaper, die_with_parent, reap_descendants
from perflab.checking.engine import Check, CheckFailed, Namespace, Outcome, Report, run_checks
from perflab.checking.explain import LIMIT_ERRNOS, explain
from perflab.checking.guards import REAL_EXIT, end_on_signal, guard_exit, limit_resources
from perflab.i18n import _, use_language
from perflab.checking.learner import ExerciseCellMissing, load_learner, run_source
from perflab.checking.manifest import Exercise, load_checks, load_manifest

__all__ = ["LOAD_TIMEOUT_S", "check_file", "load_check", "main"]

LOAD_TIMEOUT_S = 10.0


def _line_of(error: BaseException, filename: str) -> int | None:
    frames = [f for f in traceback.extract_tb(error.__traceback__) if f.filename == filename]
    return frames[-1].lineno if frames else None


def load_check(exercise: Exercise, path: Path, box: dict[str, Namespace], source: str | None = None) -> Check:
    """Return a check that runs the learner's file and puts its objects in ``box["ns"]``.

    Args:
        exercise: The manifest entry.
        path: The learner's ``.py`` file or notebook.
        box: Receives the learner's namespace when the file ran to the end.
        source: The code to run, already read from ``path`` (a subject reads nothing). Defaults to reading it.
    """

    def learner() -> Namespace:
        if source is None:
            return load_learner(path, exercise.id, exercise.names)
        objects = run_source(source, str(path), "perflab_exercise_" + exercise.id)
        return Namespace({n: objects[n] for n in exercise.names if n in objects}, source=path.name, code=source)

    def run(_ns: Namespace) -> None:
        if source is None and not path.is_file():
            raise CheckFailed(_("{path} does not exist. In a terminal, `perflab reset {id}` restores the exercise as shipped.",
                                path=path, id=exercise.id))
        try:
            box["ns"] = learner()
        except SyntaxError as exc:
            raise CheckFailed(
                _("Python cannot read your code: {error} (line {line}).", error=exc.msg, line=exc.lineno),
                actual=(exc.text or "").strip(),
            ) from None
        except ExerciseCellMissing as exc:
            raise CheckFailed(str(exc)) from None
        except MemoryError as exc:
            raise CheckFailed(explain(exc)) from None
        except Exception as exc:  # any error at import time is the learner's to fix, with its line
            line = _line_of(exc, str(path))
            where = f"{type(exc).__name__}: {exc}"
            if line is None:
                raise
            message = _("Your code raised an exception on line {line}: {error}", line=line, error=where)
            if isinstance(exc, OSError) and exc.errno in LIMIT_ERRNOS:  # a limit of the check: say which
                message = explain(exc)
            raise CheckFailed(message) from None

    return Check("Your code runs from top to bottom", run, timeout_s=LOAD_TIMEOUT_S)


def check_file(exercise: Exercise, path: Path, checks: Sequence[Check]) -> Report:
    """Run the learner's file, then ``checks`` against what it defined.

    Args:
        exercise: The manifest entry.
        path: The learner's ``.py`` file or notebook.
        checks: The exercise's checks.
    """
    box: dict[str, Namespace] = {}
    loaded = run_checks(exercise.id, [load_check(exercise, path, box)], Namespace({}, source=path.name))
    if not loaded.passed or "ns" not in box:
        skipped = [Outcome(_(c.title), False, _("Not run: your code must run to the end first.")) for c in checks]
        return Report(exercise.id, loaded.outcomes + skipped, loaded.duration_s)
    report = run_checks(exercise.id, checks, box["ns"])
    return Report(exercise.id, report.outcomes, loaded.duration_s + report.duration_s)


def _write_exit_report(exercise_id: str, report: Path) -> Callable[[str], None]:
    """Return what ``guard_exit`` tells: a report whose one outcome is the learner's ``os._exit``, and where."""

    def tell(message: str) -> None:
        outcome = Outcome(_("Your code runs and the checks finish"), False, message)
        report.write_text(json.dumps(Report(exercise_id, [outcome], 0.0).to_json(), ensure_ascii=False),
                          encoding="utf-8")

    return tell


def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m perflab.checking._runner")
    parser.add_argument("exercise_id")
    parser.add_argument("path", type=Path)
    parser.add_argument("--report", type=Path, required=True)
    parser.add_argument("--root", type=Path)
    parser.add_argument("--lang")
    parser.add_argument("--parent-pid", type=int)
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--cpu-s", type=int, default=0)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Check one file and write the report; return the exit status (2 if the exercise cannot be checked).

    Args:
        argv: The arguments. Defaults to ``sys.argv[1:]``.
    """
    args = _arguments(sys.argv[1:] if argv is None else argv)
    if args.parent_pid:
        die_with_parent(args.parent_pid)
    become_subreaper()  # what the learner's code starts stays ours, in a new session or after a double fork
    signal.signal(signal.SIGTERM, end_on_signal)
    limit_resources(args.memory_mb, args.cpu_s)
    if args.lang:
        use_language(args.lang)
    guard_exit(_write_exit_report(args.exercise_id, args.report))
    try:
        manifest = load_manifest(args.root)
        exercise = manifest[args.exercise_id]
        report = check_file(exercise, args.path.resolve(), load_checks(exercise, manifest.root))
        args.report.write_text(json.dumps(report.to_json(), ensure_ascii=False), encoding="utf-8")
    finally:
        os._exit = REAL_EXIT
        reap_descendants(pid_namespace=False)  # nothing the learner's code started outlives the verdict
    return 0


if __name__ == "__main__":
    status = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # a learner may have replaced or closed the streams
            pass
    # Skip interpreter shutdown: a learner's thread stuck in a blocking call, or an atexit
    # handler, must not keep this process alive after the report is written.
    REAL_EXIT(status)
