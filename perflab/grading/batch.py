"""Grade a folder of submissions: each learner's code for each exercise runs in a sandbox of its own.

What counts as a submission, in ``SUBMISSIONS``:

- ``<learner>/``: a folder per learner with exercise files named like the stubs (``gather.py``, at
  any depth, so ``exercises/02_concurrent_io/gather.py`` works too), ``.py`` files whose first line
  is ``# exercise: <id>``, and notebooks, whose exercise cell is the last code cell that starts
  with ``# exercise: <id>`` (as for ``check()`` in the notebook);
- flat files: ``<learner>__<id>.py`` and ``<learner>.ipynb`` (or ``<learner>__<anything>.ipynb``).

A ``.py`` file beats a notebook for the same exercise; anything else is listed as not graded.
Each learner gets a worker of its own (``python -m perflab.grading.worker``) inside the
namespaces of ``perflab.grading.netns`` (loopback only, no process outliving it). It checks each exercise in
a process of its own with time and memory limits, and reports through an unnamed file the parent
opened, never stdout. It gets private copies of the code, read before any submission ran.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from perflab.checking.engine import Outcome, Report
from perflab.grading.report import Grading, LearnerResult
from perflab.grading.worker import DEFAULT_RUNNER
from perflab.i18n import _, current_language
from perflab.checking.learner import exercise_id_of
from perflab.checking.manifest import Exercise, load_manifest
from perflab.grading.netns import Isolation, detect_isolation, wait_unreaped, warn_if_not_isolated
from perflab.serving.lifetime import kill_tree
from perflab.checking.sandbox import report_from_json

__all__ = ["DEFAULT_RUNNER", "GradeOptions", "Piece", "Submission", "find_submissions", "grade", "run_submission"]

_PRIVATE_ENV = ("REDIS_URL", "DATABASE_URL")  # graded code uses the fakes, never the grader's services
_MAX_BYTES = {".py": 1_000_000, ".ipynb": 20_000_000}
_SKIPPED = {"__pycache__", ".ipynb_checkpoints"}
OnReport = Callable[[str, Report], None]
Graded = tuple[dict[str, Report], list[str]]  # the report of each exercise, and the grader's own errors


@dataclass(frozen=True)
class GradeOptions:
    """How to grade: the course, the language, how many at once, and each run's limits and runner."""

    root: Path | None = None  # the course root with exercises/manifest.toml; defaults to course_root()
    lang: str | None = None  # defaults to the current language
    jobs: int = 0  # learners graded at once; 0 means one per usable CPU
    timeout_s: float = 60.0
    memory_mb: int = 2048
    runner: str = DEFAULT_RUNNER  # "module:function", e.g. "perflab.checking.sandbox:check_in_subprocess" (slower)


@dataclass(frozen=True)
class Piece:
    """One learner's code for one exercise: the bytes, the file name to run it as, and where it came from."""

    exercise_id: str
    filename: str
    data: bytes
    origin: str


@dataclass
class Submission:
    """One learner's pieces by exercise id, and notes about files that were not graded."""

    learner: str
    pieces: dict[str, Piece] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _owner(entry: Path) -> str | None:
    """The learner a top-level entry belongs to, or None."""
    if entry.is_dir():
        return entry.name
    stem, sep, _rest = entry.stem.partition("__")
    return stem if stem and (sep or entry.suffix == ".ipynb") else None


def _notebook_ids(data: bytes) -> list[str]:
    cells = json.loads(data.decode("utf-8")).get("cells", [])
    sources = ["".join(c.get("source", "")) for c in cells if c.get("cell_type") == "code"]
    return list(dict.fromkeys(i for i in map(exercise_id_of, sources) if i))


def _file_ids(path: Path, data: bytes, ids: set[str], stubs: dict[str, str]) -> list[str]:
    marked = exercise_id_of(data[:500].decode("utf-8", "replace"))
    rest = path.stem.partition("__")[2]
    found = marked or stubs.get(path.name) or stubs.get(f"{rest}.py") or (rest if rest in ids else None)
    return [found] if found else []


def _read(path: Path, shown: str, sub: Submission) -> bytes | None:
    limit = _MAX_BYTES.get(path.suffix)
    if path.is_symlink() or not path.is_file() or limit is None:  # links, pipes and devices are never read
        sub.notes.append(_("{file}: not an exercise file or notebook.", file=shown))
    elif path.stat().st_size > limit:
        sub.notes.append(_("{file}: larger than {size} MB.", file=shown, size=limit // 1_000_000))
    else:
        try:
            return path.read_bytes()
        except OSError as exc:
            sub.notes.append(_("{file}: cannot be read ({error}).", file=shown, error=exc.strerror))
    return None


def _add(sub: Submission, path: Path, shown: str, exercises: Sequence[Exercise]) -> None:
    """Add what ``path`` holds to ``sub``, or note why it holds nothing gradable."""
    data = _read(path, shown, sub)
    if data is None:
        return
    ids, stubs = {e.id for e in exercises}, {Path(e.stub).name: e.id for e in exercises}
    names = {e.id: Path(e.stub).name for e in exercises}
    try:
        found = _notebook_ids(data) if path.suffix == ".ipynb" else _file_ids(path, data, ids, stubs)
    except (ValueError, AttributeError, TypeError):
        sub.notes.append(_("{file}: not a readable notebook.", file=shown))
        return
    if not found:
        sub.notes.append(_("{file}: no exercise found in it.", file=shown))
    for exercise_id in found:
        if exercise_id not in ids:
            sub.notes.append(_("{file}: there is no exercise \"{id}\".", file=shown, id=exercise_id))
        elif exercise_id in sub.pieces:
            sub.notes.append(_("{file}: {id} is already graded from {other}.", file=shown, id=exercise_id,
                               other=sub.pieces[exercise_id].origin))
        else:
            name = path.name if path.suffix == ".ipynb" else names[exercise_id]
            sub.pieces[exercise_id] = Piece(exercise_id, name, data, shown)


def _files(entry: Path, skip: set[Path]) -> list[Path]:
    """The files of a learner's folder (or the flat file itself): ``.py`` before notebooks, hidden ones left out."""
    found = [entry] if not entry.is_dir() else [
        p for p in entry.rglob("*")
        if not p.is_dir() and not any(part.startswith(".") or part in _SKIPPED for part in p.relative_to(entry).parts)
        and not any(p.resolve().is_relative_to(s) for s in skip)
    ]
    return sorted(found, key=lambda p: (p.suffix == ".ipynb", str(p)))


def find_submissions(folder: Path, exercises: Sequence[Exercise], *,
                     skip: Sequence[Path] = ()) -> tuple[list[Submission], list[str]]:
    """Read every learner's code in ``folder`` into memory, and return it with notes about the folder.

    Args:
        folder: The submissions folder.
        exercises: The manifest's exercises.
        skip: Paths to leave alone, such as an output folder inside ``folder``. Defaults to none.
    """
    skipped, subs, notes = {p.resolve() for p in skip}, dict[str, Submission](), list[str]()
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith(".") or entry.name in _SKIPPED or entry.resolve() in skipped:
            continue
        owner = _owner(entry)
        if owner is None or entry.is_symlink():
            notes.append(_("{file}: not a learner's folder, notebook or <learner>__<id>.py file.", file=entry.name))
            continue
        sub = subs.setdefault(owner, Submission(owner))
        for path in _files(entry, skipped):
            shown = str(path.relative_to(entry if entry.is_dir() else folder))
            _add(sub, path, shown if entry.is_dir() else entry.name, exercises)
    return list(subs.values()), notes


def _failed(exercise_id: str, message: str, actual: str = "", duration_s: float = 0.0) -> Report:
    outcome = Outcome(_("Your code runs and the checks finish"), False, message, actual=actual)
    return Report(exercise_id, [outcome], duration_s)


def _command(paths: dict[str, Path], fd: int, options: GradeOptions, isolation: Isolation, lang: str) -> list[str]:
    command = [sys.executable, "-m", "perflab.grading.worker", "--report-fd", str(fd), "--lang", lang,
               "--timeout-s", str(options.timeout_s), "--memory-mb", str(options.memory_mb), "--runner", options.runner]
    for exercise_id, path in paths.items():
        command += ["--piece", exercise_id, str(path)]
    command += ["--root", str(options.root.resolve())] if options.root else []
    command += ["--loopback"] if isolation.network else []
    command += [] if isolation.processes else ["--reap"]
    return isolation.wrap(command)


def _environment(lang: str, tmp: Path) -> dict[str, str]:
    # One BLAS thread, as a process with threads must not fork; TMPDIR in the learner's folder, removed after.
    env = {k: v for k, v in os.environ.items() if k not in _PRIVATE_ENV}
    threads = {name: "1" for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    return {**env, **threads, "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8", "PERFLAB_LANG": lang,
            "TMPDIR": str(tmp)}


def _collect(sub: Submission, channel: BinaryIO, why_missing: str, err: BinaryIO) -> Graded:
    """Read the worker's report lines; an exercise without one fails with ``why_missing``."""
    channel.seek(0)
    reports, errors = {}, []
    for line in channel.read().splitlines():
        try:
            data = json.loads(line)
            exercise_id = data["id"]
            if exercise_id not in sub.pieces or exercise_id in reports:
                continue
            if "error" in data:
                errors.append(f"{sub.learner} / {exercise_id}: {data['error']}")
                message = _("The grader could not run this exercise: {error}", error=str(data["error"]))
                reports[exercise_id] = _failed(exercise_id, message)
            elif data["report"]["id"] == exercise_id:
                reports[exercise_id] = report_from_json(data["report"])
        except (ValueError, TypeError, KeyError, AttributeError):
            continue  # a line the worker did not finish writing
    err.seek(0)
    shown = err.read()[-2000:].decode("utf-8", "replace")
    return {i: reports.get(i) or _failed(i, why_missing, shown) for i in sub.pieces}, errors


def run_submission(sub: Submission, options: GradeOptions, isolation: Isolation) -> Graded:
    """Check one learner's pieces, one after another, in a contained worker; return reports and grader errors.

    Args:
        sub: The learner's code.
        options: Course, language, limits and runner.
        isolation: The namespaces to run in, from ``detect_isolation()``.
    """
    work = Path(tempfile.mkdtemp(prefix="perflab-grade-"))
    try:
        (work / ".tmp").mkdir()  # no exercise id starts with a dot
        paths = {i: work / i / piece.filename for i, piece in sub.pieces.items()}
        for exercise_id, path in paths.items():
            path.parent.mkdir()
            path.write_bytes(sub.pieces[exercise_id].data)
        lang = options.lang or current_language()
        # Beyond the runner's own limit: start-up and clean-up, which took over 7 s on a 2-core machine
        # busy with a notebook run and other tests beside (the worker, its judge and its zygote all start).
        limit_s = len(paths) * (options.timeout_s * 1.25 + 2) + 15
        with tempfile.TemporaryFile() as channel, tempfile.TemporaryFile() as err:
            proc = subprocess.Popen(_command(paths, channel.fileno(), options, isolation, lang), cwd=work,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err,
                                    pass_fds=(channel.fileno(),), start_new_session=True,
                                    env=_environment(lang, work / ".tmp"))
            try:
                finished = wait_unreaped(proc, limit_s)
            finally:
                kill_tree(proc)
            why = (_("The run ended without a report (status {code}).", code=proc.returncode) if finished else
                   _("Stopped after {seconds:g} s: the run did not finish in time.", seconds=round(limit_s)))
            return _collect(sub, channel, why, err)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _grade_one(sub: Submission, options: GradeOptions, isolation: Isolation) -> Graded:
    """Return the reports and the grader's errors; a failure of the grader itself costs this learner's cells."""
    try:
        return run_submission(sub, options, isolation)
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
        message = _("The grader could not run this exercise: {error}", error=error)
        return {i: _failed(i, message) for i in sub.pieces}, [f"{sub.learner}: {error}"]


def _jobs(requested: int) -> int:
    return requested if requested > 0 else max(1, len(os.sched_getaffinity(0)))  # the CPUs we may use


def grade(folder: Path, options: GradeOptions | None = None, *, skip: Sequence[Path] = (),
          on_report: OnReport | None = None) -> Grading:
    """Grade every submission in ``folder``, ``options.jobs`` learners at once, and return the results.

    Args:
        folder: The submissions folder.
        options: How to grade. Defaults to ``GradeOptions()``.
        skip: Paths inside ``folder`` to leave alone (the output folder). Defaults to none.
        on_report: Called with the learner and the report as each exercise finishes. Defaults to none.
    """
    options, start = options or GradeOptions(), time.monotonic()
    manifest = load_manifest(options.root)
    isolation = detect_isolation()
    warn_if_not_isolated(isolation)
    submissions, notes = find_submissions(folder, manifest.exercises, skip=skip)
    results = {s.learner: LearnerResult(s.learner, notes=list(s.notes)) for s in submissions}
    grading = Grading(manifest.exercises, list(results.values()), notes, isolation)
    with concurrent.futures.ThreadPoolExecutor(_jobs(options.jobs), thread_name_prefix="perflab-grade") as pool:
        futures = {pool.submit(_grade_one, sub, options, isolation): sub for sub in submissions if sub.pieces}
        for future in concurrent.futures.as_completed(futures):
            sub = futures[future]
            reports, errors = future.result()
            grading.errors += errors
            for exercise_id, report in reports.items():
                results[sub.learner].reports[exercise_id] = report
                results[sub.learner].origins[exercise_id] = sub.pieces[exercise_id].origin
                if on_report is not None:
                    on_report(sub.learner, report)
    grading.duration_s = time.monotonic() - start
    return grading
