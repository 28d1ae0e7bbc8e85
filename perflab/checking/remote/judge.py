"""The judge: run an exercise's checks here, against the learner's code running in a subject process.

The learner's code never runs in this process. The checks call it through stubs (``peer``), so
what decides a verdict (the fakes' counts, the answers, the clocks) is observed here, where the
learner's code cannot reach: it cannot patch the engine, write the report, or change the checks.
``judge_check`` has the signature of ``check_in_subprocess`` and is what ``perflab grade`` runs.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from perflab.checking.engine import Check, CheckFailed, Namespace, Outcome, Report, run_checks
from perflab.checking.learner import ExerciseCellMissing, learner_source
from perflab.checking.manifest import Exercise, load_checks, load_manifest
from perflab.checking.remote.confine import end_cgroup, pids_cgroup
from perflab.checking.remote.peer import Peer
from perflab.checking.remote.zygote import Zygote, shared_zygote
from perflab.checking.remote.home import HomeLoop
from perflab.i18n import _, current_language

__all__ = ["Confinement", "Subject", "judge_check"]

_PR_SET_DUMPABLE = 4  # from <linux/prctl.h>
HELLO_S = 15.0  # start-up (about 1 s) plus the learner's code at the top level (the load check allows 10 s)
_OUTPUT_LIMIT = 64 * 1024


@dataclass(frozen=True)
class Confinement:
    """What a subject may do: memory, CPU time, processes, and whether its world is read-only.

    Args:
        memory_mb: Its address-space limit.
        cpu_s: Its CPU-time limit.
        read_only: Whether every file system is read-only for it, with a private /tmp of ``tmp_mb``.
        tmp_mb: The size of that /tmp.
        max_processes: The most processes its code may run at once.
    """

    memory_mb: int = 2048
    cpu_s: int = 125
    read_only: bool = False
    tmp_mb: int = 64
    max_processes: int = 64


class Subject:
    """The learner's code in a process of its own, confined, answering through stubs.

    Args:
        exercise: The manifest entry.
        root: The course root.
        code: The code to run: the learner's (see ``learner_source``), or "" for none.
        filename: Where it came from, for messages. Defaults to "<exercise>".
        lang: The language of messages made there.
        confinement: Its limits.
        hash_seed: Its PYTHONHASHSEED. Defaults to this process's.
    """

    def __init__(self, exercise: Exercise, root: Path, code: str, filename: str = "<exercise>", *, lang: str = "en",
                 confinement: Confinement = Confinement(), hash_seed: str | None = None) -> None:
        self.exercise, self.root, self.code, self.filename, self.lang = exercise, root, code, filename, lang
        self.confinement, self.hash_seed = confinement, hash_seed
        self.output = b""
        self._scratch = tempfile.TemporaryDirectory(prefix="perflab-subject-")
        self._home = HomeLoop()
        self._proc: subprocess.Popen[bytes] | None = None
        self._group: Path | None = None
        self._drainer: threading.Thread | None = None
        self.peer: Peer | None = None
        self.pid = 0
        self._adopted: list[Subject] = []
        self._zygote: Zygote | None = None
        self._pid, self._output_fd = 0, -1
        self.stopped_after_s: float | None = None  # set when the watchdog ended it

    def _command(self, fd: int) -> list[str]:
        c = self.confinement
        command = [sys.executable, "-m", "perflab.checking.remote.subject", "--fd", str(fd),
                   "--exercise", self.exercise.id, "--filename", self.filename, "--root", str(self.root),
                   "--lang", self.lang, "--parent-pid", str(os.getpid()), "--memory-mb", str(c.memory_mb),
                   "--cpu-s", str(c.cpu_s), "--max-processes", str(c.max_processes), "--workdir", self._scratch.name]
        if c.read_only:
            command += ["--confine-tmp-mb", str(c.tmp_mb)]
        if self._group is not None:
            command += ["--cgroup", str(self._group)]
        return command

    def _environment(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", "PERFLAB_LANG": self.lang,
               "PYTHONDONTWRITEBYTECODE": "1"}
        env.update({name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
        if self.hash_seed is not None:
            env["PYTHONHASHSEED"] = self.hash_seed
        return env

    def start(self) -> tuple[Outcome, dict[str, Any]]:
        """Start the process and wait for its hello; return the load check's outcome and the learner's objects."""
        ours, theirs = socket.socketpair()
        read_end, write_end = os.pipe()
        self._group = pids_cgroup(f"perflab-{os.getpid()}-{id(self):x}", self.confinement.max_processes)
        try:
            self._launch(theirs.fileno(), write_end)
        finally:
            theirs.close()
            os.close(write_end)
        self._output_fd = read_end
        self._drainer = threading.Thread(target=self._drain, name="perflab-subject-output", daemon=True)
        self._drainer.start()
        self.peer = Peer(ours, trusted=True, home=self._home.start(), why_gone=self._why_gone).start()
        try:
            hello = self.peer.wait_notice("hello", HELLO_S)
        except TimeoutError:
            return Outcome(_("Your code runs from top to bottom"), False, _(
                "Did not finish within {seconds:g} s. Look for an endless loop, a blocking call such as "
                "time.sleep inside async def, or an await that never returns.", seconds=HELLO_S)), {}
        except CheckFailed as exc:
            return Outcome(_("Your code runs from top to bottom"), False, exc.message, actual=self.shown_output()), {}
        self.pid = int(hello.get("pid", 0)) if isinstance(hello, dict) else 0
        return _outcome_of(hello), _objects_of(hello, self.exercise)

    def prepare(self) -> None:
        """Start the fork server now, if this subject will use it and it is not running yet."""
        if self.hash_seed is None:
            shared_zygote(self._environment())

    def _launch(self, fd: int, output: int) -> None:
        """Start the subject: forked from the zygote (fast), or a new Python when it needs another hash seed."""
        zygote = shared_zygote(self._environment()) if self.hash_seed is None else None
        if zygote is not None:
            self._zygote, self._pid = zygote, zygote.spawn(self._command(fd)[3:], self.code, [fd, output])
            return
        self._proc = subprocess.Popen(
            self._command(fd), pass_fds=[fd], cwd=self._scratch.name, stdin=subprocess.PIPE, stdout=output,
            stderr=output, start_new_session=True, env=self._environment())
        self._pid = self._proc.pid
        assert self._proc.stdin is not None
        with contextlib.suppress(OSError):  # a subject that died at once is reported by the hello
            self._proc.stdin.write(self.code.encode("utf-8"))
        with contextlib.suppress(OSError):
            self._proc.stdin.close()

    def _wait(self, timeout_s: float) -> int | None:
        """Return the subject's exit status once it ended, or None after ``timeout_s``."""
        if self._zygote is not None:
            return self._zygote.wait(self._pid, timeout_s)
        if self._proc is None:
            return None
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self._proc.wait(timeout_s)
        return None

    def _why_gone(self) -> str:
        """Say why the process ended without a farewell: stopped in time, out of limits, or its status."""
        code = self._wait(1.0)
        parent_gone = self._zygote is not None and not self._zygote.alive()  # os.kill of its parent, say
        if self.stopped_after_s is not None and not parent_gone:
            return _("Stopped after {seconds:g} s. Look for an endless loop at the top level of your file, "
                     "or code that never returns.", seconds=self.stopped_after_s)
        if code is not None and -code in (signal.SIGXCPU, signal.SIGKILL):
            return _("The check process was stopped: it used too much CPU time or memory (status {code}).",
                     code=code)
        if code is None or parent_gone:  # its parent, the fork server, went first
            return _("The process that runs your code ended during this check: look for sys.exit, os._exit, "
                     "os.kill or a crash in your code.")
        return _("The check process ended without a result (status {code}). Its last output is below.", code=code)

    def stop(self, after_s: float) -> None:
        """End the process now, saying it was stopped after ``after_s`` seconds; waiting calls fail at once.

        Args:
            after_s: The time allowed, for the message.
        """
        self.stopped_after_s = after_s
        if self._pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._pid, signal.SIGKILL)

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            for chunk in iter(lambda: os.read(self._output_fd, 65536), b""):
                self.output = (self.output + chunk)[-_OUTPUT_LIMIT:]

    def shown_output(self) -> str:
        """Return the end of what the learner's code printed, for a message."""
        return self.output.decode("utf-8", "replace")[-2000:]

    def cpu_s(self) -> float:
        """Return the CPU time the subject process has used, in seconds, read from here (its own word is not taken)."""
        return time.clock_gettime(((~self.pid) << 3) | 2)  # the process's CPU clock, as clock_getcpuclockid gives

    def fresh(self, code: str, hash_seed: str | None = None) -> Subject:
        """Return a new, unstarted subject with the same limits that runs ``code`` instead of the learner's file.

        Args:
            code: The code to run ("" for none).
            hash_seed: Its PYTHONHASHSEED. Defaults to this process's.
        """
        return Subject(self.exercise, self.root, code, lang=self.lang, confinement=self.confinement,
                       hash_seed=hash_seed)

    def adopt(self, other: Subject) -> None:
        """Close ``other`` when this subject closes (a fresh process a check started).

        Args:
            other: Another subject.
        """
        self._adopted.append(other)

    def close(self) -> None:
        """End the process and everything it started, and close the connection; then the subjects it adopted."""
        for other in self._adopted:
            other.close()
        if self._pid:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self._pid, signal.SIGTERM)  # it ends what the learner's code started
            self._wait(2.0)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._pid, signal.SIGKILL)
            self._wait(2.0)
        end_cgroup(self._group)
        if self.peer is not None:
            self.peer.close()
        if self._drainer is not None:
            self._drainer.join(2.0)
        if self._output_fd >= 0:
            os.close(self._output_fd)
        self._home.stop()
        self._scratch.cleanup()

    def __enter__(self) -> Subject:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _outcome_of(hello: Any) -> Outcome:
    fields = hello.get("outcome", {}) if isinstance(hello, dict) else {}
    text = {k: str(fields.get(k, "")) for k in ("message", "input", "expected", "actual")}
    return Outcome(_("Your code runs from top to bottom"), fields.get("passed") is True, **text)


def _objects_of(hello: Any, exercise: Exercise) -> dict[str, Any]:
    objects = hello.get("objects", {}) if isinstance(hello, dict) else {}
    return {name: objects[name] for name in exercise.names if isinstance(objects, dict) and name in objects}


def _watchdog(subject: Subject, timeout_s: float) -> threading.Timer:
    # Past the time allowed for the whole exercise, the subject goes: every call still waiting fails at once.
    timer = threading.Timer(timeout_s, subject.stop, args=(timeout_s,))
    timer.daemon = True
    timer.start()
    return timer


def _untraceable() -> None:
    # A process of the same user may not trace this one or read its memory: the subject cannot
    # reach into the judge even where ptrace is otherwise open to it.
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0)


def _not_run(checks: list[Check]) -> list[Outcome]:
    return [Outcome(_(c.title), False, _("Not run: your code must run to the end first.")) for c in checks]


def _unreadable(exercise_id: str, path: Path, error: Exception, checks: list[Check], duration_s: float) -> Report:
    if isinstance(error, ExerciseCellMissing):
        message = str(error)
    elif isinstance(error, FileNotFoundError):
        message = _("{path} does not exist. In a terminal, `perflab reset {id}` restores the exercise as shipped.", path=path,
                    id=exercise_id)
    else:
        message = f"{type(error).__name__}: {error}"
    loaded = Outcome(_("Your code runs from top to bottom"), False, message)
    return Report(exercise_id, [loaded, *_not_run(checks)], duration_s)


def judge_check(exercise_id: str, path: Path, *, lang: str | None = None, timeout_s: float = 60.0,
                memory_mb: int = 2048, root: Path | None = None, read_only: bool = True) -> Report:
    """Check ``path`` as exercise ``exercise_id``: the checks run here, the learner's code in a confined subject.

    Args:
        exercise_id: The exercise's id, as in the manifest.
        path: The learner's ``.py`` file, or a notebook with its exercise cell.
        lang: The language of the report. Defaults to the current language.
        timeout_s: Wall time after which the subject is ended and the checks left fail. Defaults to 60.
        memory_mb: The subject's address-space limit. Defaults to 2048.
        root: The course root. Defaults to ``course_root()``.
        read_only: Whether the subject's world is read-only. Defaults to True.
    """
    _untraceable()
    lang, manifest = lang or current_language(), load_manifest(root)
    exercise, start = manifest[exercise_id], time.perf_counter()
    checks = load_checks(exercise, manifest.root)
    confinement = Confinement(memory_mb=memory_mb, cpu_s=int(timeout_s) * 2 + 5, read_only=read_only)
    path = Path(path).resolve()
    try:
        code = learner_source(path, exercise_id)
    except (OSError, UnicodeDecodeError, ExerciseCellMissing) as exc:
        return _unreadable(exercise_id, path, exc, checks, time.perf_counter() - start)
    with Subject(exercise, manifest.root, code, str(path), lang=lang, confinement=confinement) as subject:
        subject.prepare()  # the fork server's start-up (a second or more) is not the learner's time
        timer = _watchdog(subject, timeout_s)
        try:
            loaded, objects = subject.start()
            if not loaded.passed:
                loaded = replace(loaded, actual=loaded.actual or subject.shown_output())
                return Report(exercise_id, [loaded, *_not_run(checks)], time.perf_counter() - start)
            ns = Namespace(objects, source=path.name, code=code)
            ns.subject = subject
            report = run_checks(exercise_id, checks, ns)
        finally:
            timer.cancel()
    return Report(exercise_id, report.outcomes, time.perf_counter() - start)  # as check_file: the load passed
