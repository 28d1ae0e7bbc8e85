"""Check a learner's file in a process of its own, with limits on time, memory, CPU and output.

The terminal and grading check a file here, never in the calling process: a file can loop at the
top level, exhaust memory or kill its own process, and still every run ends with a ``Report``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from dataclasses import replace
from typing import Any

from perflab.checking.engine import Outcome, Report
from perflab.i18n import _, current_language
from perflab.checking.manifest import course_root

__all__ = ["OUTPUT_LIMIT_BYTES", "check_in_subprocess", "report_from_json"]

OUTPUT_LIMIT_BYTES = 64 * 1024  # of the child's own stdout and stderr, the last part kept
_GRACE_S = 0.5
_END_S = 2.0  # how long the check process may take to end its descendants after SIGTERM


def report_from_json(data: dict[str, Any], output: bytes = b"") -> Report:
    """Rebuild a ``Report`` from what ``Report.to_json`` produced.

    Args:
        data: The JSON object.
        output: The check process's last output, shown with a failure that has no value of its own
            (``os._exit`` leaves such a report). Defaults to none.
    """
    fields = ("name", "passed", "message", "input", "expected", "actual")
    outcomes = [Outcome(**{k: c.get(k, "") for k in fields}) for c in data["checks"]]
    if output and len(outcomes) == 1 and not outcomes[0].passed and not outcomes[0].actual:
        outcomes = [replace(outcomes[0], actual=output.decode("utf-8", "replace")[-2000:])]
    return Report(str(data["id"]), outcomes, float(data.get("duration_s", 0.0)))


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    # First SIGTERM: the check process then ends what the learner's code started, in a new session
    # or after a double fork too, since it adopts them. Then SIGKILL to its whole group.
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(_END_S)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def _drain(proc: subprocess.Popen[bytes], deadline: float) -> tuple[bytes, bool]:
    """Read the child's output, keeping the last part, until it exits or the deadline passes."""
    assert proc.stdout is not None
    fd, tail, open_, exited_at = proc.stdout.fileno(), b"", True, None
    while True:
        now = time.monotonic()
        if now >= deadline:
            return tail, True
        if proc.poll() is not None:
            exited_at = exited_at or now
            if not open_ or now - exited_at > _GRACE_S:  # a grandchild may hold the pipe open
                return tail, False
        if not open_:
            time.sleep(0.05)
            continue
        ready, _w, _x = select.select([fd], [], [], min(0.1, deadline - now))
        if ready:
            chunk = os.read(fd, 65536)
            open_ = bool(chunk)
            tail = (tail + chunk)[-OUTPUT_LIMIT_BYTES:]  # megabytes of prints cost no memory


def _failed(exercise_id: str, message: str, output: bytes, duration_s: float) -> Report:
    shown = output.decode("utf-8", "replace")[-2000:]
    outcome = Outcome(_("Your code runs and the checks finish"), False, message, actual=shown)
    return Report(exercise_id, [outcome], duration_s)


def _command(exercise_id: str, path: Path, report: Path, root: Path, lang: str, limits: tuple[int, int]) -> list[str]:
    return [
        sys.executable, "-m", "perflab.checking._runner", exercise_id, str(path), "--report", str(report),
        "--root", str(root), "--lang", lang, "--parent-pid", str(os.getpid()),
        "--memory-mb", str(limits[0]), "--cpu-s", str(limits[1]),
    ]


def _environment(lang: str) -> dict[str, str]:
    # One BLAS thread: a big thread pool reserves address space the memory limit would count.
    threads = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    return {**os.environ, **threads, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", "PERFLAB_LANG": lang}


def _verdict(exercise_id: str, report_path: Path, proc: subprocess.Popen[bytes], output: bytes,
             timed_out: bool, timeout_s: float, duration_s: float) -> Report:
    try:  # a complete report wins, even if the process then lingered
        return report_from_json(json.loads(report_path.read_text(encoding="utf-8")), output)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    if timed_out:
        message = _("Stopped after {seconds:g} s. Look for an endless loop at the top level of your file, "
                    "or code that never returns.", seconds=timeout_s)
        return _failed(exercise_id, message, output, duration_s)
    code = proc.returncode
    if code is not None and -code in (signal.SIGXCPU, signal.SIGKILL):
        message = _("The check process was stopped: it used too much CPU time or memory (status {code}).", code=code)
    else:
        message = _("The check process ended without a result (status {code}). Its last output is below.", code=code)
    return _failed(exercise_id, message, output, duration_s)


def check_in_subprocess(exercise_id: str, path: Path, *, lang: str | None = None, timeout_s: float = 60.0,
                        memory_mb: int = 2048, root: Path | None = None) -> Report:
    """Check ``path`` as exercise ``exercise_id`` in a limited child process and return the report.

    Args:
        exercise_id: The exercise's id, as in the manifest.
        path: The learner's ``.py`` file, or a notebook with its exercise cell.
        lang: The language of the report. Defaults to the current language.
        timeout_s: Wall time after which the child and everything it started are killed. Defaults to 60.
        memory_mb: The child's address-space limit. Defaults to 2048.
        root: The course root with ``exercises/manifest.toml``. Defaults to ``course_root()``.
    """
    lang = lang or current_language()
    root = (root or course_root()).resolve()
    limits = (memory_mb, math.ceil(timeout_s) * 2 + 5)
    fd, name = tempfile.mkstemp(prefix="perflab-report-", suffix=".json")
    os.close(fd)
    report_path, start = Path(name), time.monotonic()
    # The learner's code runs in a scratch folder: whatever it does to "." never touches the course.
    workdir = tempfile.TemporaryDirectory(prefix="perflab-check-")
    try:
        proc = subprocess.Popen(
            _command(exercise_id, Path(path).resolve(), report_path, root, lang, limits), cwd=workdir.name,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True, env=_environment(lang),
        )
        try:
            output, timed_out = _drain(proc, start + timeout_s)
        finally:
            _kill_group(proc)
            assert proc.stdout is not None
            proc.stdout.close()
        return _verdict(exercise_id, report_path, proc, output, timed_out, timeout_s, time.monotonic() - start)
    finally:
        report_path.unlink(missing_ok=True)
        workdir.cleanup()
