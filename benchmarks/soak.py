"""No false verdicts: every right answer passes every run, with one core busy, on all three paths.

The right answers are each exercise's reference solution and ``tests/answers/<id>/right_*.py``.
Each is checked ``--runs`` times (50 by default) with a spinning process keeping one core busy:

- ``check``: ``perflab check ID --file PATH``, the learner's self-check in its sandbox;
- ``kernel``: ``check("ID")`` in a Jupyter kernel that ran the answer, as in a notebook;
- ``judge``: the grading runner (``perflab grade``'s judge and subject).

It prints one row per answer and path, with the passes and the first failure's message, and exits
1 on any failure. A full run takes hours: it is a maintainer's command, not part of ``make test``.

Usage::

    .venv/bin/python benchmarks/soak.py                       # everything, 50 runs each
    .venv/bin/python benchmarks/soak.py --runs 5 --via judge --exercise gather
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from jupyter_client.manager import start_new_kernel

from perflab.checking.manifest import load_manifest
from perflab.checking.remote.judge import judge_check

__all__ = ["main", "right_answers"]

ROOT = Path(__file__).resolve().parent.parent
PATHS = ("check", "kernel", "judge")
Verdict = tuple[bool, str]  # passed, and the first failed check's title and message


def right_answers(ids: list[str]) -> Iterator[tuple[str, Path]]:
    """Yield (exercise id, path) for every reference solution and right answer of the exercises ``ids``.

    Args:
        ids: Exercise ids; empty for all.
    """
    manifest = load_manifest(ROOT)
    for exercise in manifest.exercises:
        if ids and exercise.id not in ids:
            continue
        yield exercise.id, ROOT / exercise.solution
        for path in sorted((ROOT / "tests" / "answers" / exercise.id).glob("right_*.py")):
            yield exercise.id, path


def _why(outcomes: list[dict[str, object]]) -> str:
    failed = [o for o in outcomes if not o["passed"]]
    return f"{failed[0]['name']}: {failed[0]['message']}" if failed else ""


def via_check(exercise_id: str, path: Path) -> Callable[[], Verdict]:
    """Return a run of ``perflab check ID --file PATH --json``."""

    def run() -> Verdict:
        done = subprocess.run([sys.executable, "-m", "perflab", "check", exercise_id, "--file", str(path), "--json"],
                              capture_output=True, text=True, cwd=ROOT, timeout=600)
        try:
            report = json.loads(done.stdout)
        except ValueError:
            return False, f"exit {done.returncode}: {(done.stdout + done.stderr)[-300:]}"
        return bool(report["passed"]), _why(report["checks"])

    return run


def via_judge(exercise_id: str, path: Path) -> Callable[[], Verdict]:
    """Return a run of the grading judge on ``path``."""

    def run() -> Verdict:
        report = judge_check(exercise_id, path, lang="en", timeout_s=300.0, root=ROOT)
        return report.passed, _why([{"passed": o.passed, "name": o.name, "message": o.message} for o in report.outcomes])

    return run


@contextmanager
def via_kernel(exercise_id: str, path: Path) -> Iterator[Callable[[], Verdict]]:
    """Yield a run of ``check(ID)`` in one Jupyter kernel that ran the answer's code once."""
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(ROOT))
    try:
        _execute(client, path.read_text(encoding="utf-8"))

        def run() -> Verdict:
            out = _execute(client, f"from perflab import check as _check\n_r = _check({exercise_id!r})\n"
                                   "import json as _json\nprint(_json.dumps(_r.to_json()))")
            try:
                report = json.loads(out.strip().splitlines()[-1])
            except (ValueError, IndexError):
                return False, out[-300:]
            return bool(report["passed"]), _why(report["checks"])

        yield run
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def _execute(client: object, code: str) -> str:
    """Run ``code`` in the kernel; return what it printed, and any error's text."""
    printed: list[str] = []

    def keep(message: dict[str, object]) -> None:
        content = message["content"]
        if message["msg_type"] == "stream":
            printed.append(str(content["text"]))  # type: ignore[index]
        elif message["msg_type"] == "error":
            printed.append("\n".join(content["traceback"]))  # type: ignore[index]

    client.execute_interactive(code, timeout=600, output_hook=keep)  # type: ignore[attr-defined]
    return "".join(printed)


@contextmanager
def busy_core() -> Iterator[None]:
    """Keep one core busy with a spinning process, as the 50-run tests do."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        yield
    finally:
        spinner.kill()
        spinner.wait()


def soak(exercise_id: str, path: Path, via: str, runs: int) -> tuple[int, str]:
    """Check one answer ``runs`` times along one path; return the passes and the first failure's message."""
    passes, first_failure = 0, ""
    with (via_kernel(exercise_id, path) if via == "kernel" else _plain(via, exercise_id, path)) as run:
        for _i in range(runs):
            passed, why = run()
            passes += passed
            first_failure = first_failure or why
    return passes, first_failure


@contextmanager
def _plain(via: str, exercise_id: str, path: Path) -> Iterator[Callable[[], Verdict]]:
    yield (via_check if via == "check" else via_judge)(exercise_id, path)


def main(argv: list[str] | None = None) -> int:
    """Soak every right answer; return 0 when every run of every one passed.

    Args:
        argv: Command-line arguments. Defaults to ``sys.argv[1:]``.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--via", action="append", choices=PATHS, help="a path to soak (repeatable). Defaults to all")
    parser.add_argument("--exercise", action="append", default=[], help="an exercise id (repeatable). Defaults to all")
    parser.add_argument("--no-busy", action="store_true", help="do not keep a core busy")
    args = parser.parse_args(argv)
    failures = 0
    with busy_core() if not args.no_busy else _nothing():
        for exercise_id, path in right_answers(args.exercise):
            for via in args.via or PATHS:
                started = time.perf_counter()
                passes, why = soak(exercise_id, path, via, args.runs)
                failures += passes < args.runs
                print(f"{exercise_id:15} {path.relative_to(ROOT)!s:55} {via:6} {passes:3}/{args.runs} "
                      f"{time.perf_counter() - started:6.0f} s  {why[:200]}", flush=True)
    print("no false verdicts" if not failures else f"{failures} answer-path pairs had false verdicts")
    return 1 if failures else 0


@contextmanager
def _nothing() -> Iterator[None]:
    yield


if __name__ == "__main__":
    sys.exit(main())
