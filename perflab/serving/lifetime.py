"""Process lifetimes: a child dies with its parent, and a parent adopts and ends what its children leave behind.

No worker outlives the kernel that started it, and nothing a learner's code starts (a new session,
a double fork) outlives the check that ran it.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time

__all__ = ["become_subreaper", "die_with_parent", "kill_tree", "reap_descendants"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_PR_SET_CHILD_SUBREAPER = 36


def die_with_parent(parent_pid: int, sig: int = signal.SIGTERM) -> None:
    """Ask Linux to send ``sig`` when the parent dies, and exit now if it already has.

    The kernel sends the signal when the *thread* that spawned us exits, so spawn
    from a long-lived thread (a notebook's main thread is). Elsewhere than Linux this
    only does the race check.

    Args:
        parent_pid: The pid that spawned us, passed on the command line.
        sig: The signal to receive. Defaults to SIGTERM, so the worker can shut down cleanly.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
        except (OSError, AttributeError):
            pass  # without prctl the getppid() check below still catches most orphans
    # The parent may have died between fork and prctl; then we were re-parented already.
    if os.getppid() != parent_pid:
        os._exit(1)


def kill_tree(proc: subprocess.Popen[bytes]) -> None:
    """Kill ``proc``, every descendant (also those that left its group) and its group; then reap it.

    Args:
        proc: A child started with ``start_new_session=True``.
    """
    try:
        import psutil

        family = psutil.Process(proc.pid).children(recursive=True)
    except Exception:  # psutil missing, or the process is gone already
        family = []
    for member in family:
        try:
            member.kill()
        except Exception:
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    proc.wait()


def become_subreaper() -> None:
    """Adopt this process's orphaned descendants (double forks, setsid daemons), so reaping finds them."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def reap_descendants(pid_namespace: bool, wait_s: float = 1.0) -> None:
    """Kill every process this one started, also those that left its group, and reap them.

    As process 1 of its own PID namespace, signal -1 reaches every other process in the namespace
    and nothing outside it; elsewhere psutil finds the descendants (call ``become_subreaper`` first,
    so orphans stay ours). Call it only from a process whose children are all its own to end: a check runner, a grading
    worker, the ``perflab check`` command.

    Args:
        pid_namespace: Whether this process was started as process 1 of a new PID namespace.
        wait_s: How long to wait for the killed processes to be reaped. Defaults to 1 s.
    """
    if pid_namespace and os.getpid() == 1:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
    else:
        import psutil

        for child in psutil.Process().children(recursive=True):
            try:
                child.kill()
            except psutil.Error:
                pass
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            time.sleep(0.01)
