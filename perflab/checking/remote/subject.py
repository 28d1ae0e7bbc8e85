"""The subject: ``python -m perflab.checking.remote.subject --fd N ...`` runs the learner's code, and nothing else.

The judge (``perflab.checking.remote.judge``) starts it with one end of a socket pair. It
confines itself (``--confine``: a read-only world, see ``confine``), sets its limits, runs the
learner's file or notebook cell, says hello with the objects the exercise names (or with why the
code did not run), and then serves the judge's calls on its event loop until the judge hangs up.
Everything that decides a verdict happens in the judge: this process only answers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from perflab.checking._runner import load_check
from perflab.checking.engine import Namespace, run_checks
from perflab.checking.guards import REAL_EXIT, end_on_signal, guard_exit, limit_resources
from perflab.checking.manifest import Exercise, load_manifest
from perflab.checking.remote.confine import confine, join_cgroup
from perflab.checking.remote.peer import Peer
from perflab.i18n import use_language
from perflab.serving.lifetime import become_subreaper, die_with_parent, reap_descendants

__all__ = ["main", "run"]

def _arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m perflab.checking.remote.subject")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--exercise", required=True)
    parser.add_argument("--filename", required=True, help="where the code on stdin came from, for messages")
    parser.add_argument("--root", type=Path)
    parser.add_argument("--lang")
    parser.add_argument("--parent-pid", type=int)
    parser.add_argument("--memory-mb", type=int, default=0)
    parser.add_argument("--cpu-s", type=int, default=0)
    parser.add_argument("--confine-tmp-mb", type=int, default=0, help="a read-only world, with a private working folder this big")
    parser.add_argument("--cgroup", type=Path)
    parser.add_argument("--max-processes", type=int, default=64)
    parser.add_argument("--workdir", type=Path, help="its scratch folder. Defaults to the current one")
    return parser.parse_args(argv)


def _load(exercise: Exercise, filename: str, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Run the code; return the load check's outcome as plain fields, and the objects the exercise names."""
    box: dict[str, Namespace] = {}
    path = Path(filename)
    loaded = run_checks(exercise.id, [load_check(exercise, path, box, code)], Namespace({}, source=path.name))
    outcome = vars(loaded.outcomes[0]) if loaded.outcomes else {"passed": False}
    found = box["ns"].objects if loaded.passed and "ns" in box else {}
    return dict(outcome), {n: found[n] for n in exercise.names if n in found}


def main(argv: Sequence[str] | None = None, code: str | None = None) -> int:
    """Confine, load the learner's code, say hello, and serve the judge until it hangs up.

    Args:
        argv: The arguments. Defaults to ``sys.argv[1:]``.
        code: The code to run. Defaults to what the judge writes on stdin.
    """
    args = _arguments(sys.argv[1:] if argv is None else argv)
    if args.workdir:
        os.chdir(args.workdir)
    if args.parent_pid:
        die_with_parent(args.parent_pid)
    become_subreaper()
    signal.signal(signal.SIGTERM, end_on_signal)
    join_cgroup(args.cgroup, args.max_processes)
    if code is None:  # the judge sends the code: nothing is read from the course or the submissions
        code = sys.stdin.read()
    exercise = load_manifest(args.root)[args.exercise]
    if args.confine_tmp_mb:
        confine(args.confine_tmp_mb, Path.cwd())
    limit_resources(args.memory_mb, args.cpu_s)
    if args.lang:
        use_language(args.lang)
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    peer = Peer(socket.socket(fileno=args.fd), trusted=False, home=loop).start()
    guard_exit(lambda message: peer.notify("farewell", message))
    os.register_at_fork(after_in_child=peer.forget_in_child)
    outcome, objects = _load(exercise, args.filename, code)
    peer.notify("hello", {"outcome": outcome, "objects": objects, "pid": os.getpid()})
    loop.run_until_complete(asyncio.to_thread(peer.gone.wait))
    return 0


def run(argv: Sequence[str], code: str | None = None) -> None:
    """Run ``main``, then end what the learner's code started, and this process, skipping interpreter shutdown.

    Args:
        argv: The arguments.
        code: The code to run. Defaults to stdin.
    """
    try:
        main(argv, code)
    finally:
        reap_descendants(pid_namespace=False, wait_s=0.5)  # nothing the learner's code started outlives it
        REAL_EXIT(0)


if __name__ == "__main__":
    run(sys.argv[1:])
