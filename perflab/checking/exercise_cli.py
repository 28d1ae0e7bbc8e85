"""The learner's commands: ``perflab check|watch|hint|progress|reset|solution``, and ``perflab dev check``.

Every file is checked in a limited subprocess (``perflab.checking.sandbox``), so a learner's endless loop
or ``sys.exit`` ends in a verdict. Exit status: 0 when everything passes, 1 when anything fails,
2 when the command itself cannot run (an unknown exercise, a missing file).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from perflab.checking.engine import Report
from perflab.errors import PerflabError
from perflab.i18n import _, ngettext, use_language
from perflab.checking.manifest import Exercise, Manifest, load_manifest
from perflab.checking.shipped import shipped_stub
from perflab.checking.progress_state import load_state, record_check, record_reset
from perflab.checking.sandbox import check_in_subprocess

__all__ = ["add_exercise_commands", "progress_text", "reset_exercise", "watch"]

Handler = Callable[[argparse.Namespace], int]
Subcommands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
WATCH_INTERVAL_S = 0.5


def _check_one(manifest: Manifest, exercise: Exercise, path: Path | None = None) -> Report:
    """Check the learner's file (or ``path``); only the learner's own file counts for progress."""
    report = check_in_subprocess(exercise.id, path or manifest.root / exercise.stub, root=manifest.root)
    if path is None:
        try:
            record_check(manifest.root, exercise.id, report.passed)
        except OSError:
            pass
    return report


def _check(args: argparse.Namespace) -> int:
    manifest = load_manifest()
    if args.file and not args.id:
        raise PerflabError(_("--file needs an exercise id: perflab check ID --file PATH"))
    if args.file and not Path(args.file).is_file():
        raise PerflabError(_("The file {path} does not exist.", path=args.file))
    reports = []
    for exercise in [manifest[args.id]] if args.id else manifest.exercises:
        reports.append(_check_one(manifest, exercise, Path(args.file) if args.file else None))
        if not args.json:
            print(reports[-1], flush=True)
            if not reports[-1].passed:
                print(_("The task, in your language: perflab task {id}", id=exercise.id), flush=True)
    if args.json:
        data = reports[0].to_json() if args.id else [r.to_json() for r in reports]
        print(json.dumps(data, ensure_ascii=False, indent=1))
    return 0 if all(r.passed for r in reports) else 1


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None  # an editor may replace the file: gone for a moment


def watch(manifest: Manifest, ids: list[str], *, interval_s: float = WATCH_INTERVAL_S,
          stop: Callable[[], bool] = lambda: False) -> int:
    """Check an exercise again each time its file is saved, until Ctrl-C (or ``stop()``).

    Args:
        manifest: The course's exercises.
        ids: The exercises to watch.
        interval_s: How often to look at the files' modification times. Defaults to 0.5 s.
        stop: Returns True to end the watch; for tests. Defaults to never.
    """
    paths = {i: manifest.root / manifest[i].stub for i in ids}
    seen = {i: _mtime(p) for i, p in paths.items()}
    print(ngettext("Watching {n} exercise file. Save it to check it; press Ctrl-C to stop.",
                   "Watching {n} exercise files. Save one to check it; press Ctrl-C to stop.", len(paths)),
          flush=True)
    try:
        if len(ids) == 1:
            print(_check_one(manifest, manifest[ids[0]]), flush=True)
        while not stop():
            time.sleep(interval_s)
            for exercise_id, path in paths.items():
                mtime = _mtime(path)
                if mtime is not None and mtime != seen[exercise_id]:
                    seen[exercise_id] = mtime
                    print(_check_one(manifest, manifest[exercise_id]), flush=True)
                    print(progress_text(manifest).split("\n", 1)[0], flush=True)
    except KeyboardInterrupt:
        pass
    print(_("Stopped watching."), flush=True)
    return 0


def _watch(args: argparse.Namespace) -> int:
    manifest = load_manifest()
    return watch(manifest, [manifest[args.id].id] if args.id else manifest.ids)


def task_text(exercise: Exercise) -> str:
    """Return an exercise's title and full task, in the learner's language, wrapped for a terminal.

    Args:
        exercise: The manifest entry.
    """
    from perflab.checking.exercise import task_of

    shown = task_of(exercise)
    lines = [textwrap.fill(line, width=88, subsequent_indent="  " if line.startswith("- ") else "")
             for line in shown.text.splitlines()]
    return f"{shown.exercise_id}: {shown.title}\n\n" + "\n".join(lines)


def _task(args: argparse.Namespace) -> int:
    print(task_text(load_manifest()[args.id]))
    return 0


def _hint(args: argparse.Namespace) -> int:
    from perflab.checking.exercise import next_hints

    manifest = load_manifest()
    print(next_hints(manifest.root, manifest[args.id]))
    return 0


def progress_text(manifest: Manifest, width: int = 30) -> str:
    """Return a bar of the points earned, then one line per exercise with its state.

    Args:
        manifest: The course's exercises.
        width: The bar's width in characters. Defaults to 30.
    """
    states = load_state(manifest.root)
    status = {e.id: states[e.id].status if e.id in states else "not started" for e in manifest.exercises}
    for e in manifest.exercises:  # a pass earned stays earned, after a reset or a later failure too
        if status[e.id] != "passed" and e.id in states and states[e.id].ever_passed:
            status[e.id] = "passed before"
    done = [e for e in manifest.exercises if status[e.id] in ("passed", "passed before")]
    total_points = sum(e.points for e in manifest.exercises)
    points = sum(e.points for e in done)
    filled = round(width * points / total_points) if total_points else 0
    bar = "█" * filled + "░" * (width - filled)
    lines = [_("{bar} exercises: {done}/{total}, points: {points}/{total_points}", bar=bar, done=len(done),
               total=len(manifest.exercises), points=points, total_points=total_points)]
    marks = {"passed": "✓", "passed before": "✓", "failing": "✗", "not started": "·"}
    labels = {"passed": _("passed"), "passed before": _("passed before"), "failing": _("failing"),
              "not started": _("not started")}
    id_width = max((len(e.id) for e in manifest.exercises), default=0)
    label_width = max(len(label) for label in labels.values())
    for e in manifest.exercises:
        state = status[e.id]
        lines.append(f"  {marks[state]} {e.id:<{id_width}}  {labels[state]:<{label_width}}  {_(e.title)}")
    return "\n".join(lines)


def _progress(args: argparse.Namespace) -> int:
    print(progress_text(load_manifest()))
    return 0


def reset_exercise(manifest: Manifest, exercise: Exercise) -> Path | None:
    """Restore an exercise's stub as shipped, keeping the learner's file in ``.perflab/backups/``; return the backup.

    Args:
        manifest: The course's exercises.
        exercise: The exercise to reset.
    """
    path, original = manifest.root / exercise.stub, shipped_stub(manifest.root, exercise)
    backup = None
    if path.exists() and path.read_bytes() != original:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        backup = manifest.root / ".perflab" / "backups" / f"{exercise.id}-{stamp}{path.suffix}"
        backup.parent.mkdir(parents=True, exist_ok=True)
        for n in range(2, 1000):  # two resets in one second keep two backups
            if not backup.exists():
                break
            backup = backup.with_name(f"{exercise.id}-{stamp}-{n}{path.suffix}")
        backup.write_bytes(path.read_bytes())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(original)
    record_reset(manifest.root, exercise.id)
    return backup


def _reset(args: argparse.Namespace) -> int:
    manifest = load_manifest()
    exercise = manifest[args.id]
    if not args.yes:
        try:
            answer = input(_("Restore {path} as shipped? Your file is kept as a backup. [y/N] ", path=exercise.stub))
        except EOFError:
            answer = ""
        if answer.strip().lower() not in {"y", "yes"}:
            print(_("Nothing changed. Add --yes to reset without asking."))
            return 1
    backup = reset_exercise(manifest, exercise)
    if backup is not None:
        print(_("Your file was kept as {backup}.", backup=backup.relative_to(manifest.root)))
    else:
        print(_("Your file was already as shipped: nothing to keep."))
    print(_("{path} is as shipped again.", path=exercise.stub))
    return 0


def _solution(args: argparse.Namespace) -> int:
    manifest = load_manifest()
    exercise = manifest[args.id]
    state = load_state(manifest.root).get(exercise.id)
    if not args.force and not (state and state.ever_passed):
        print(_("Pass the exercise first (perflab check {id}), or add --force to see the solution now.",
                id=exercise.id))
        return 1
    print(f"# {exercise.solution}\n")
    print((manifest.root / exercise.solution).read_text(encoding="utf-8"))
    return 0


def _dev_check(args: argparse.Namespace) -> int:
    from perflab.checking.devcheck import dev_check
    from perflab.checking.manifest import course_root

    problems = dev_check(course_root())
    for problem in problems:
        print(problem)
    print(ngettext("{n} problem found", "{n} problems found", len(problems)) if problems else _("Exercises: all good"))
    return 1 if problems else 0


def _guarded(handler: Handler) -> Handler:
    def run(args: argparse.Namespace) -> int:
        if getattr(args, "lang", None):
            use_language(args.lang)
        try:
            return handler(args)
        except PerflabError as exc:  # already a complete, translated message
            print(exc, file=sys.stderr, flush=True)
            return 2

    return run


def _dev_subparsers(subparsers: Subcommands) -> Subcommands | None:
    dev = subparsers.choices.get("dev")
    actions = dev._actions if dev is not None else []
    return next((a for a in actions if isinstance(a, argparse._SubParsersAction)), None)


def sandbox_note() -> str:
    """Return what ``perflab check`` runs your code in: what it contains, and what it does not."""
    return _("Your file runs in a child process of its own, in a scratch folder, with limits on time, memory "
             "and CPU; whatever it starts, in a new session too, is ended with the verdict. This is a self-check "
             "for your own machine, not a prison: your code runs as you, can read and write your files and "
             "reach the network, and the checks run in the same process as your code, so code that tampers "
             "with them fools only you. perflab grade, which instructors use, adds what a self-check leaves "
             "out: the checks run in a process your code cannot reach, your code sees every file as read-only "
             "but for a small private folder, may start only a few processes, reaches nothing beyond "
             "loopback, and each learner has an isolated worker.")


def add_exercise_commands(subparsers: Subcommands,
                          dev: Subcommands | None = None) -> None:
    """Add the exercise commands to ``perflab``'s subcommands, and ``check`` to ``perflab dev``.

    Args:
        subparsers: The top-level subcommands.
        dev: The ``dev`` subcommands. Defaults to those found under ``subparsers`` as "dev", if any.
    """
    def command(name: str, helptext: str, handler: Handler, *ids: str, epilog: str = "") -> argparse.ArgumentParser:
        parser = subparsers.add_parser(name, help=helptext, epilog=epilog or None)
        for nargs in ids:
            parser.add_argument("id", nargs=nargs or None, help=_("the exercise id, as in exercises/manifest.toml"))
        parser.add_argument("--lang", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
        parser.set_defaults(run=_guarded(handler))
        return parser

    check = command("check", _("check your exercise files (or one, or any file with --file)"), _check, "?",
                    epilog=sandbox_note())
    check.add_argument("--file", help=_("check this file as the exercise"))
    check.add_argument("--json", action="store_true", help=_("print the report as JSON"))
    command("watch", _("check an exercise again each time you save it"), _watch, "?")
    command("task", _("show what an exercise asks you to build, in your language"), _task, "")
    command("hint", _("show the next hint"), _hint, "")
    command("progress", _("show every exercise with its state"), _progress)
    command("reset", _("restore an exercise as shipped, keeping your file"), _reset, "").add_argument(
        "--yes", action="store_true", help=_("do not ask"))
    command("solution", _("show the solution, once you have passed"), _solution, "").add_argument(
        "--force", action="store_true", help=_("show it even before you pass"))
    dev = dev or _dev_subparsers(subparsers)
    if dev is not None:
        dev.add_parser("check", help=_("every stub fails, every solution passes, every answer as expected")
                       ).set_defaults(run=_guarded(_dev_check))
