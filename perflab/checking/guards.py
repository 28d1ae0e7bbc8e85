"""What a process that runs a learner's code sets up first: limits, an ``os._exit`` that says where, an end on SIGTERM.

Both processes that run learner code use these: the check process (``_runner``) and the
judge's subject (``remote.subject``).
"""

from __future__ import annotations

import contextlib
import os
import resource
import sys
from collections.abc import Callable

from perflab.i18n import _
from perflab.serving.lifetime import reap_descendants

__all__ = ["REAL_EXIT", "end_on_signal", "guard_exit", "limit_resources"]

REAL_EXIT = os._exit


def guard_exit(tell: Callable[[str], None]) -> None:
    """Make ``os._exit`` in the learner's code pass a message naming its line to ``tell``, then end the process.

    Args:
        tell: Called with the message, in this process only (a child the learner forked exits as it asked).
    """
    pid = os.getpid()

    def learner_exit(status: int) -> None:
        if os.getpid() == pid:
            caller = sys._getframe(1)
            with contextlib.suppress(Exception):
                tell(_("Your code called os._exit({status}) on line {line} of {file}: it ends the whole process "
                       "at once, the checks included. Return a value, or raise an exception, instead.",
                       status=status, line=caller.f_lineno, file=os.path.basename(caller.f_code.co_filename)))
        REAL_EXIT(status)

    os._exit = learner_exit


def end_on_signal(signum: int, frame: object) -> None:
    """End what the learner's code started, then this process, without waiting for the learner's threads.

    Args:
        signum: The signal: SIGTERM from the parent (a time-out, its own SIGTERM or Ctrl-C, or its death).
        frame: Unused.
    """
    reap_descendants(pid_namespace=False, wait_s=0.5)
    REAL_EXIT(128 + signum)


def limit_resources(memory_mb: int, cpu_s: int) -> None:
    """Make a runaway allocation or busy loop end this process, never the machine, and a crash write no core file.

    Args:
        memory_mb: The address space limit; 0 for none.
        cpu_s: The CPU time limit; 0 for none.
    """
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a core file takes seconds, in the learner's folder
    for kind, soft, hard in [
        (resource.RLIMIT_AS, memory_mb * 2**20, memory_mb * 2**20),
        (resource.RLIMIT_CPU, cpu_s, cpu_s + 5),
    ]:
        if soft > 0:
            with contextlib.suppress(ValueError, OSError):  # a lower limit is already in force
                resource.setrlimit(kind, (soft, hard))
