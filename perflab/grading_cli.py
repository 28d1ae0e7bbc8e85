"""The command lines of grading: ``perflab grade DIR`` for the instructor, and the worker each learner runs in.

``add_grade_command(subparsers)`` adds ``grade`` to the ``perflab`` command. The worker,
``python -m perflab.grading_cli worker --report-fd N --piece ID PATH ...``, is started by
``perflab.grading`` inside the namespaces, one per learner. For each exercise it calls the runner
and appends one JSON line to the unnamed file it inherited as ``N``; the code it checks never
holds that file. The default runner, ``fork_check``, is ``perflab.sandbox.check_in_subprocess``
with a fork instead of a fresh interpreter: the same check process (``perflab._check_runner``),
the same limits and verdicts, but the checks are imported once per learner instead of once per file.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib
import json
import math
import os
import select
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from perflab.checking import Outcome, Report
from perflab.i18n import LANGUAGES, _, current_language, use_language
from perflab.manifest import load_checks, load_manifest
from perflab.netns import become_subreaper, bring_loopback_up, reap_descendants
from perflab.sandbox import OUTPUT_LIMIT_BYTES, check_in_subprocess, report_from_json

__all__ = ["DEFAULT_RUNNER", "add_grade_command", "fork_check", "load_runner", "main", "run_grade", "worker"]

DEFAULT_RUNNER = "perflab.grading_cli:fork_check"
_CONTROL = {code: "?" for code in [*range(32), 127]}  # a folder name must not drive the terminal


def add_grade_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``grade SUBMISSIONS_DIR [--out DIR] [--lang xx] [--jobs N] [--timeout-s S]`` to a command.

    Args:
        subparsers: What ``ArgumentParser.add_subparsers()`` returned.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "grade", help=_("grade a folder of submissions: grades.csv and a report per learner"))
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR",
                        help=_("one folder per learner, or <learner>__<id>.py files and notebooks"))
    parser.add_argument("--out", type=Path,
                        help=_("where the grades go. Defaults to a grades folder next to SUBMISSIONS_DIR"))
    # SUPPRESS: without --lang here, the one given before "grade" (perflab --lang ru grade DIR) still counts.
    parser.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=_("language of the reports"))
    parser.add_argument("--jobs", type=int, default=0, help=_("learners graded at once. Defaults to one per CPU"))
    parser.add_argument("--timeout-s", type=float, default=60.0, help=_("time limit of each exercise, in seconds"))
    parser.add_argument("--memory-mb", type=int, default=2048, help=_("memory limit of each exercise, in MB"))
    parser.add_argument("--course-root", type=Path, help=_("the course with exercises/manifest.toml"))
    parser.add_argument("--runner", default=DEFAULT_RUNNER, help=argparse.SUPPRESS)
    parser.set_defaults(run=run_grade)
    return parser


def _progress(learner: str, report: Report) -> None:
    mark = "✓" if report.passed else "✗"
    print(f"  {mark} {learner.translate(_CONTROL)} / {report.exercise_id} ({report.duration_s:.1f} s)", flush=True)


def run_grade(args: argparse.Namespace) -> int:
    """Grade ``args.submissions``, write the grades and reports, and return the exit status.

    0 when every exercise was graded (whatever the learners' results), 1 when the grader itself
    failed on some, 2 when there is nothing to grade.

    Args:
        args: The parsed ``grade`` arguments.
    """
    from perflab.errors import PerflabError
    from perflab.grade_report import write_outputs
    from perflab.grading import GradeOptions, grade

    if getattr(args, "lang", None):
        use_language(args.lang)
    folder: Path = args.submissions
    if not folder.is_dir():
        print(_("{path} is not a folder.", path=folder), file=sys.stderr)
        return 2
    out: Path = args.out or folder.resolve().parent / "grades"
    options = GradeOptions(root=args.course_root, lang=current_language(), jobs=args.jobs,
                           timeout_s=args.timeout_s, memory_mb=args.memory_mb, runner=args.runner)
    try:
        grading = grade(folder, options, skip=[out], on_report=_progress)
    except PerflabError as exc:
        print(exc, file=sys.stderr)
        return 2
    written = write_outputs(grading, out)
    print(_("Graded {count} learners in {seconds:.1f} s: {csv}, {index}", count=len(grading.learners),
            seconds=grading.duration_s, csv=written.csv, index=written.index))
    for line in grading.notes:
        print(_("Not graded: {note}", note=line))
    for error in grading.errors:
        print(_("Grader error: {error}", error=error), file=sys.stderr)
    return 1 if grading.errors else 0


def _child(argv: list[str], out_fd: int, cwd: Path) -> NoReturn:
    """In the forked child: its own session, output to the pipe, no inherited file, then the check process."""
    status = 1
    try:
        os.setsid()
        os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
        os.dup2(out_fd, 1)
        os.dup2(out_fd, 2)
        os.closerange(3, 1 << 16)  # above all the worker's report channel: the learner's code never holds it
        os.chdir(cwd)
        from perflab._check_runner import main as check_process

        status = check_process(argv)
    finally:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # a learner may have replaced or closed the streams
                stream.flush()
        os._exit(status)


def _drain(pid: int, fd: int, deadline: float) -> tuple[bytes, bool]:
    """Keep the last part of the child's output until it exits (plus a grace) or the deadline; True if late."""
    pidfd, tail, open_, exited_at = os.pidfd_open(pid), b"", True, 0.0
    try:
        while True:
            now = time.monotonic()
            if now >= deadline:
                return tail, True
            if exited_at and (not open_ or now - exited_at > 0.5):  # a grandchild may hold the pipe open
                return tail, False
            watched = [pidfd] * (not exited_at) + [fd] * open_
            ready = select.select(watched, [], [], min(0.1, deadline - now))[0] if watched else []
            exited_at = exited_at or (now if pidfd in ready else 0.0)
            if fd in ready:
                chunk = os.read(fd, 65536)
                open_, tail = bool(chunk), (tail + chunk)[-OUTPUT_LIMIT_BYTES:]
    finally:
        os.close(pidfd)


def _verdict(exercise_id: str, report_path: Path, status: int, output: bytes, late: bool, timeout_s: float,
             duration_s: float) -> Report:
    """The report the check process wrote, or why there is none; the same messages as ``perflab check``."""
    if late:
        message = _("Stopped after {seconds:g} s. Look for an endless loop at the top level of your file, "
                    "or code that never returns.", seconds=timeout_s)
    else:
        try:
            return report_from_json(json.loads(report_path.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            pass
        stopped = -status in (signal.SIGXCPU, signal.SIGKILL)
        message = (_("The check process was stopped: it used too much CPU time or memory (status {code}).", code=status)
                   if stopped else _("The check process ended without a result (status {code}). "
                                     "Its last output is below.", code=status))
    shown = output.decode("utf-8", "replace")[-2000:]
    return Report(exercise_id, [Outcome(_("Your code runs and the checks finish"), False, message, actual=shown)],
                  duration_s)


def fork_check(exercise_id: str, path: Path, *, lang: str | None = None, timeout_s: float = 60.0,
               memory_mb: int = 2048, root: Path | None = None) -> Report:
    """Check ``path`` as ``check_in_subprocess`` does, in a child forked from here with the checks imported.

    Falls back to ``check_in_subprocess`` when this process has threads, which a fork does not copy.

    Args:
        exercise_id: The exercise's id, as in the manifest.
        path: The learner's ``.py`` file, or a notebook with its exercise cell.
        lang: The language of the report. Defaults to the current language.
        timeout_s: Wall time after which the child and its process group are killed. Defaults to 60.
        memory_mb: The child's address-space limit. Defaults to 2048.
        root: The course root. Defaults to ``course_root()``.
    """
    import perflab._check_runner  # noqa: F401 - imported before the fork, as are the checks

    lang, manifest = lang or current_language(), load_manifest(root)
    load_checks(manifest[exercise_id], manifest.root)
    # A process with other threads (a BLAS pool, say) must not fork: a lock they held would stay locked.
    if not os.path.isdir("/proc/self/task") or len(os.listdir("/proc/self/task")) > 1:
        return check_in_subprocess(exercise_id, path, lang=lang, timeout_s=timeout_s, memory_mb=memory_mb,
                                   root=manifest.root)
    handle, name = tempfile.mkstemp(prefix="perflab-report-", suffix=".json")
    os.close(handle)
    argv = [exercise_id, str(Path(path).resolve()), "--report", name, "--root", str(manifest.root), "--lang", lang,
            "--parent-pid", str(os.getpid()), "--memory-mb", str(memory_mb),
            "--cpu-s", str(math.ceil(timeout_s) * 2 + 5)]  # the CPU limit check_in_subprocess sets
    try:
        return _run_forked(exercise_id, argv, Path(path).resolve().parent, Path(name), timeout_s)
    finally:
        Path(name).unlink(missing_ok=True)


def _run_forked(exercise_id: str, argv: list[str], cwd: Path, report_path: Path, timeout_s: float) -> Report:
    """Fork the check process, keep the end of its output, kill its session, and return the verdict."""
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    start, pid = time.monotonic(), os.fork()
    if pid == 0:
        _child(argv, write_end, cwd)
    os.close(write_end)
    try:
        output, late = _drain(pid, read_end, start + timeout_s)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, signal.SIGKILL)  # the child leads its session: what it started dies with it
        status = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        return _verdict(exercise_id, report_path, status, output, late, timeout_s, time.monotonic() - start)
    finally:
        os.close(read_end)


@functools.cache
def load_runner(spec: str) -> Callable[..., Report]:
    """Import the runner named ``module:function`` (the module must be importable in the worker).

    Args:
        spec: The runner's name.
    """
    where, _sep, name = spec.rpartition(":")
    runner: Callable[..., Report] = getattr(importlib.import_module(where), name)
    return runner


def _worker_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m perflab.grading_cli worker")
    parser.add_argument("--piece", nargs=2, action="append", default=[], metavar=("ID", "PATH"))
    parser.add_argument("--report-fd", type=int, required=True)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--timeout-s", type=float, default=60.0)
    parser.add_argument("--memory-mb", type=int, default=2048)
    parser.add_argument("--runner", default=DEFAULT_RUNNER)
    parser.add_argument("--root", type=Path)
    parser.add_argument("--loopback", action="store_true", help="set lo up: we are in a new network namespace")
    parser.add_argument("--reap", action="store_true", help="no PID namespace: adopt and kill what runs leave")
    return parser.parse_args(argv)


def _check_one(args: argparse.Namespace, exercise_id: str, path: str) -> dict[str, Any]:
    try:
        extra = {"root": args.root} if args.root else {}
        report = load_runner(args.runner)(exercise_id, Path(path), lang=args.lang, timeout_s=args.timeout_s,
                                          memory_mb=args.memory_mb, **extra)
        return {"id": exercise_id, "report": report.to_json()}
    except Exception as exc:  # the grader's own failure: the instructor sees it, the learner loses one cell
        return {"id": exercise_id, "error": f"{type(exc).__name__}: {exc}"}
    finally:
        reap_descendants(pid_namespace=not args.reap)  # nothing one exercise left running meets the next


def worker(argv: Sequence[str]) -> int:
    """Check each ``--piece`` in turn and append its report (or the grader's error) to the inherited file.

    Args:
        argv: The worker's arguments.
    """
    args = _worker_arguments(argv)
    use_language(args.lang)
    if args.loopback:
        bring_loopback_up()
    if args.reap:
        become_subreaper()
    for exercise_id, path in args.piece:
        line = json.dumps(_check_one(args, exercise_id, path), ensure_ascii=False) + "\n"
        os.write(args.report_fd, line.encode("utf-8"))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m perflab.grading_cli grade DIR ...`` (as ``perflab grade``), or the hidden ``worker``.

    Args:
        argv: The arguments. Defaults to ``sys.argv[1:]``.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["worker"]:
        return worker(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m perflab.grading_cli")
    add_grade_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.run
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
