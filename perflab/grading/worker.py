"""The worker each learner's submission is graded in: ``python -m perflab.grading.worker --report-fd N ...``.

``perflab.grading.batch`` starts one per learner inside the namespaces. For each ``--piece ID PATH``
it calls the runner and appends one JSON line to the unnamed file it inherited as ``N``; the code
it checks never holds that file.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from perflab.checking.engine import Report
from perflab.grading.netns import bring_loopback_up
from perflab.serving.lifetime import become_subreaper, reap_descendants
from perflab.i18n import use_language

__all__ = ["DEFAULT_RUNNER", "load_runner", "worker"]

DEFAULT_RUNNER = "perflab.checking.remote.judge:judge_check"  # the verdict is decided out of the learner's reach


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
    parser = argparse.ArgumentParser(prog="python -m perflab.grading.worker")
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


if __name__ == "__main__":
    sys.exit(worker(sys.argv[1:]))
