"""Make a child process die with its parent, so no worker outlives the kernel that started it."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

__all__ = ["die_with_parent"]

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


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
