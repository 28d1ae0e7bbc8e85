"""The default grading runner: the check process forked from a worker that has the checks imported.

``fork_check`` is ``perflab.checking.sandbox.check_in_subprocess`` with a fork instead of a fresh
interpreter: the same check process (``perflab.checking._runner``), the same limits and verdicts,
but the checks are imported once per learner instead of once per file.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import select
import signal
import sys
import tempfile
import time
from pathlib import Path
from typing import NoReturn

from perflab.checking.engine import Outcome, Report
from perflab.checking.manifest import load_checks, load_manifest
from perflab.checking.sandbox import OUTPUT_LIMIT_BYTES, check_in_subprocess, report_from_json
from perflab.i18n import _, current_language

__all__ = ["fork_check"]


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
        from perflab.checking._runner import main as check_process

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
            return report_from_json(json.loads(report_path.read_text(encoding="utf-8")), output)
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
    import perflab.checking._runner  # noqa: F401 - imported before the fork, as are the checks

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
