"""The judge: run an exercise's checks here, against the learner's code running in a subject process.

The learner's code never runs in this process. The checks call it through stubs (``peer``), so
what decides a verdict (the fakes' counts, the answers, the clocks) is observed here, where the
learner's code cannot reach: it cannot patch the engine, write the report, or change the checks.
``judge_check`` has the signature of ``check_in_subprocess`` and is what ``perflab grade`` runs.
"""

from __future__ import annotations

import contextlib
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

from perflab.checking.engine import CheckFailed, Namespace, Outcome, Report, run_checks
from perflab.checking.learner import learner_source
from perflab.checking.manifest import Exercise, load_checks, load_manifest
from perflab.checking.remote.confine import end_cgroup, pids_cgroup
from perflab.checking.remote.peer import Peer
from perflab.checking.remote.home import HomeLoop
from perflab.i18n import _, current_language

__all__ = ["Confinement", "Subject", "judge_check"]

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
        path: The learner's file or notebook. Defaults to none, with ``code`` instead.
        code: Code to run instead of a file (a fresh process of the learner's code, or "" for none).
        lang: The language of messages made there.
        confinement: Its limits.
        hash_seed: Its PYTHONHASHSEED. Defaults to this process's.
    """

    def __init__(self, exercise: Exercise, root: Path, *, path: Path | None = None, code: str | None = None,
                 lang: str = "en", confinement: Confinement = Confinement(), hash_seed: str | None = None) -> None:
        self.exercise, self.root, self.path, self.code, self.lang = exercise, root, path, code, lang
        self.confinement, self.hash_seed = confinement, hash_seed
        self.output = b""
        self._scratch = tempfile.TemporaryDirectory(prefix="perflab-subject-")
        self._home = HomeLoop()
        self._proc: subprocess.Popen[bytes] | None = None
        self._group: Path | None = None
        self._drainer: threading.Thread | None = None
        self.peer: Peer | None = None
        self.pid = 0

    def _command(self, fd: int) -> list[str]:
        c = self.confinement
        command = [sys.executable, "-m", "perflab.checking.remote.subject", "--fd", str(fd),
                   "--exercise", self.exercise.id, "--root", str(self.root), "--lang", self.lang,
                   "--parent-pid", str(os.getpid()), "--memory-mb", str(c.memory_mb), "--cpu-s", str(c.cpu_s),
                   "--max-processes", str(c.max_processes)]
        if self.code is not None:
            code_file = Path(self._scratch.name) / "code.py"
            code_file.write_text(self.code, encoding="utf-8")
            command += ["--code", str(code_file)]
        else:
            command += ["--path", str(self.path)]
        if c.read_only:
            command += ["--confine-tmp-mb", str(c.tmp_mb)]
        if self._group is not None:
            command += ["--cgroup", str(self._group)]
        return command

    def _environment(self) -> dict[str, str]:
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", "PERFLAB_LANG": self.lang,
               "MPLCONFIGDIR": "/tmp/perflab-matplotlib", "PYTHONDONTWRITEBYTECODE": "1"}
        env.update({name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
        if self.hash_seed is not None:
            env["PYTHONHASHSEED"] = self.hash_seed
        return env

    def start(self) -> tuple[Outcome, dict[str, Any]]:
        """Start the process and wait for its hello; return the load check's outcome and the learner's objects."""
        ours, theirs = socket.socketpair()
        self._group = pids_cgroup(f"perflab-{os.getpid()}-{id(self):x}", self.confinement.max_processes)
        try:
            self._proc = subprocess.Popen(
                self._command(theirs.fileno()), pass_fds=[theirs.fileno()], cwd=self._scratch.name,
                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                start_new_session=True, env=self._environment())
        finally:
            theirs.close()
        self._drainer = threading.Thread(target=self._drain, name="perflab-subject-output", daemon=True)
        self._drainer.start()
        self.peer = Peer(ours, trusted=True, home=self._home.start()).start()
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

    def _drain(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for chunk in iter(lambda: self._proc.stdout.read1(65536), b""):  # type: ignore[union-attr]
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
        return Subject(self.exercise, self.root, code=code, lang=self.lang, confinement=self.confinement,
                       hash_seed=hash_seed)

    def close(self) -> None:
        """End the process and everything it started, and close the connection."""
        if self._proc is not None:
            with contextlib.suppress(ProcessLookupError):
                self._proc.send_signal(signal.SIGTERM)  # it ends what the learner's code started
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._proc.wait(2.0)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()
        end_cgroup(self._group)
        if self.peer is not None:
            self.peer.close()
        if self._drainer is not None:
            self._drainer.join(2.0)
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()
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
    timer = threading.Timer(timeout_s, lambda: subject._proc and subject._proc.kill())
    timer.daemon = True
    timer.start()
    return timer


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
    lang, manifest = lang or current_language(), load_manifest(root)
    exercise, start = manifest[exercise_id], time.perf_counter()
    checks = load_checks(exercise, manifest.root)
    confinement = Confinement(memory_mb=memory_mb, cpu_s=int(timeout_s) * 2 + 5, read_only=read_only)
    path = Path(path).resolve()
    with Subject(exercise, manifest.root, path=path, lang=lang, confinement=confinement) as subject:
        timer = _watchdog(subject, timeout_s)
        try:
            loaded, objects = subject.start()
            if not loaded.passed:
                skipped = [Outcome(_(c.title), False, _("Not run: your code must run to the end first.")) for c in checks]
                return Report(exercise_id, [replace(loaded, actual=loaded.actual or subject.shown_output())] + skipped,
                              time.perf_counter() - start)
            ns = Namespace(objects, source=path.name, code=learner_source(path, exercise_id))
            ns.subject = subject
            report = run_checks(exercise_id, checks, ns)
        finally:
            timer.cancel()
    return Report(exercise_id, [loaded] + report.outcomes, time.perf_counter() - start)
