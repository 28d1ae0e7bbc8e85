"""Containment for graded code: loopback-only networking, and no process left behind.

``unshare --net --map-root-user`` (util-linux) starts a command in a network namespace of its
own, where the only interface is ``lo`` and nothing off the machine can be reached. With
``--pid --fork`` the command is also process 1 of a new PID namespace, so every process it
leaves behind dies with it. Support is probed once; where user namespaces are off (some
containers, AppArmor-restricted hosts) the command runs without them and a warning says so;
then the worker becomes a child subreaper and kills what is left itself.
"""

from __future__ import annotations

import fcntl
import functools
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from perflab.i18n import _

__all__ = [
    "Isolation",
    "bring_loopback_up",
    "detect_isolation",
    "wait_unreaped",
    "warn_if_not_isolated",
]

_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1
_NET = ("--net", "--map-root-user")
_PID = ("--pid", "--fork", "--kill-child")
# Brings lo up inside the namespace and proves that loopback then works.
_PROBE = (
    "import socket; from perflab.grading.netns import bring_loopback_up; bring_loopback_up(); "
    "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); "
    "socket.create_connection(s.getsockname(), timeout=2).close()"
)
_warned = {"done": False}


@dataclass(frozen=True)
class Isolation:
    """How graded code is contained: the command prefix, and what it isolates."""

    prefix: tuple[str, ...] = ()
    network: bool = False
    processes: bool = False
    reason: str = ""

    def wrap(self, command: Sequence[str]) -> list[str]:
        """Return ``command`` run inside the namespaces (unchanged when there are none).

        Args:
            command: The program and its arguments.
        """
        return [*self.prefix, *command]


def bring_loopback_up() -> None:
    """Set ``lo`` up in this process's network namespace (a new namespace starts with it down)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH", b"lo", 0)
        flags = struct.unpack("16sH", fcntl.ioctl(sock, _SIOCGIFFLAGS, request)[:18])[1]
        if not flags & _IFF_UP:
            fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sH", b"lo", flags | _IFF_UP))


def _fails(prefix: Sequence[str]) -> str:
    """Return "" when the probe succeeds inside ``prefix``, else why it did not."""
    try:
        done = subprocess.run([*prefix, sys.executable, "-c", _PROBE], capture_output=True, text=True,
                              timeout=20, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    lines = (done.stderr or "").strip().splitlines()
    return "" if done.returncode == 0 else (lines[-1] if lines else f"exit code {done.returncode}")


@functools.lru_cache(maxsize=1)
def detect_isolation() -> Isolation:
    """Probe once which namespaces this machine allows; ``PERFLAB_NETNS=off`` turns them off."""
    if os.environ.get("PERFLAB_NETNS", "").lower() in {"0", "off", "no", "false"}:
        return Isolation(reason=_("PERFLAB_NETNS turns it off"))
    unshare = shutil.which("unshare")
    if not sys.platform.startswith("linux") or unshare is None:
        return Isolation(reason=_("the unshare command (util-linux) is not available"))
    full = (unshare, *_NET, *_PID)
    if not _fails(full):
        return Isolation(full, network=True, processes=True)
    net_only = (unshare, *_NET)
    reason = _fails(net_only)
    if not reason:
        return Isolation(net_only, network=True)
    return Isolation(reason=_("user namespaces are not allowed here ({detail})", detail=reason))


def warn_if_not_isolated(isolation: Isolation) -> bool:
    """Print, once per process, that graded code can reach the network; return whether it printed.

    Args:
        isolation: What ``detect_isolation()`` found.
    """
    if isolation.network or _warned["done"]:
        return False
    _warned["done"] = True
    print(_("Warning: graded code runs without network isolation, because {reason}. "
            "Grade only code you trust, or grade on a machine that allows user namespaces.",
            reason=isolation.reason), file=sys.stderr)
    return True


def wait_unreaped(proc: subprocess.Popen[bytes], timeout_s: float) -> bool:
    """Wait until ``proc`` exits, without reaping it, so its process group id stays ours to kill.

    Args:
        proc: A child started with ``start_new_session=True``.
        timeout_s: How long to wait.

    Returns:
        Whether it exited in time.
    """
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):  # no pidfd: an older kernel, or not Linux
        try:
            proc.wait(timeout_s)
            return True
        except subprocess.TimeoutExpired:
            return False
    try:
        return bool(select.select([pidfd], [], [], timeout_s)[0])
    finally:
        os.close(pidfd)
