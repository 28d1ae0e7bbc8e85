"""A read-only world for graded code: every file system read-only, a small private /tmp, a cap on processes.

``confine`` runs in the subject before the learner's code does. It enters a user and a mount
namespace of its own, remounts every file system read-only (the course, ``solutions/``, the
other submissions and the output folder with them), and mounts a size-limited tmpfs on its
working folder (which becomes TMPDIR) and on /dev/shm: the only places left to write. In its own user namespace the process has no
privilege over the judge, so it cannot undo the mounts outside, trace the judge or read its memory.

``pids_cgroup`` makes a pids cgroup (v2 where delegated, else v1) that caps the number of
processes, so a fork bomb stops at the cap; where none can be made, ``RLIMIT_NPROC`` is the cap.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import tempfile
import time
from pathlib import Path

__all__ = ["ConfineError", "confine", "end_cgroup", "join_cgroup", "pids_cgroup"]

_CLONE_NEWUSER, _CLONE_NEWNS = 0x10000000, 0x00020000
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC, _MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE = (
    0x1, 0x2, 0x4, 0x8, 0x20, 0x1000, 0x4000, 1 << 18)
# statvfs flags that a user namespace must keep when it remounts (the kernel locks them).
_LOCKED = {os.ST_NOSUID: _MS_NOSUID, os.ST_NODEV: _MS_NODEV, os.ST_NOEXEC: _MS_NOEXEC,
           os.ST_NOATIME: 0x400, os.ST_NODIRATIME: 0x800, os.ST_RELATIME: 1 << 21}
_KERNEL_FILE_SYSTEMS = ("/proc", "/sys", "/dev")  # left as they are: /dev/null must stay writable
_CGROUP_ROOTS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup/unified"), Path("/sys/fs/cgroup"))


class ConfineError(OSError):
    """The kernel refused to build the read-only world (user namespaces are off, say)."""


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _mount(source: str | None, target: str, kind: str | None, flags: int, data: str | None = None) -> None:
    encoded = [None if s is None else s.encode() for s in (source, target, kind, data)]
    if _libc().mount(encoded[0], encoded[1], encoded[2], ctypes.c_ulong(flags), encoded[3]) != 0:
        error = ctypes.get_errno()
        raise ConfineError(error, f"mount {target}: {os.strerror(error)}")


def _enter_namespaces() -> None:
    uid, gid = os.getuid(), os.getgid()
    if _libc().unshare(_CLONE_NEWUSER | _CLONE_NEWNS) != 0:
        error = ctypes.get_errno()
        raise ConfineError(error, f"unshare: {os.strerror(error)}")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def _mount_points() -> list[str]:
    points: list[str] = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].encode().decode("unicode_escape")  # "\040" is a space
        kernel = any(point == k or point.startswith(k + "/") for k in _KERNEL_FILE_SYSTEMS)
        if not kernel and point not in points:
            points.append(point)
    return points


def _read_only(point: str) -> None:
    try:
        flags = os.statvfs(point).f_flag
    except OSError:
        return  # a mount point this process cannot see
    locked = sum(ms for st, ms in _LOCKED.items() if flags & st)
    _mount(None, point, None, _MS_BIND | _MS_REMOUNT | _MS_RDONLY | locked)


def confine(tmp_mb: int, workdir: Path) -> None:
    """Make every file system read-only for this process and its children, except a private ``workdir``.

    ``workdir`` gets a size-limited tmpfs of its own and becomes TMPDIR (and /dev/shm is one too);
    everything else, /tmp included, stays visible and read-only.

    Args:
        tmp_mb: The size of the private folder, in MiB: filling it is all a disk-filler can do.
        workdir: An existing, empty folder: the only place left to write.
    """
    _enter_namespaces()
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)  # nothing done here reaches the judge's mounts
    for point in _mount_points():
        _read_only(point)
    _mount("tmpfs", str(workdir), "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={tmp_mb}m,mode=0700")
    if os.path.isdir("/dev/shm"):
        _mount("tmpfs", "/dev/shm", "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={max(1, tmp_mb // 4)}m,mode=1777")
    os.chdir(workdir)  # into the new tmpfs: the old folder lies beneath it
    os.environ["TMPDIR"] = os.environ["MPLCONFIGDIR"] = str(workdir)
    tempfile.tempdir = None  # tempfile reads TMPDIR again


def pids_cgroup(name: str, limit: int) -> Path | None:
    """Make a cgroup that holds at most ``limit`` processes and return its folder, or None where none can be made.

    Args:
        name: The cgroup's name, unique on this machine (e.g. with the pid in it).
        limit: The most processes it may hold.
    """
    for root in _CGROUP_ROOTS:
        v1 = root.name == "pids" and (root / "cgroup.procs").exists()
        if not v1 and "pids" not in _read(root / "cgroup.subtree_control"):
            continue
        with contextlib.suppress(OSError):
            group = root / name
            group.mkdir()
            (group / "pids.max").write_text(str(limit))
            return group
    return None


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def join_cgroup(group: Path | None, limit: int) -> None:
    """Move this process into ``group``; without one, cap the processes of this user instead.

    Args:
        group: What ``pids_cgroup`` made, or None.
        limit: The cap for ``RLIMIT_NPROC`` when there is no cgroup, on top of this user's processes now.
    """
    if group is not None:
        with contextlib.suppress(OSError):
            (group / "cgroup.procs").write_text(str(os.getpid()))
            return
    mine = sum(1 for p in Path("/proc").glob("[0-9]*") if _owner(p) == os.getuid())
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_NPROC, (mine + limit, mine + limit))


def _owner(proc: Path) -> int | None:
    try:
        return proc.stat().st_uid
    except OSError:
        return None


def end_cgroup(group: Path | None) -> None:
    """Kill every process left in ``group`` and remove it.

    Args:
        group: What ``pids_cgroup`` made, or None.
    """
    if group is None:
        return
    kill = group / "cgroup.kill"
    for _attempt in range(50):
        pids = [int(p) for p in _read(group / "cgroup.procs").split()]
        if not pids:
            break
        if kill.exists():
            with contextlib.suppress(OSError):
                kill.write_text("1")
        for pid in pids:
            with contextlib.suppress(OSError):
                os.kill(pid, 9)
        time.sleep(0.02)
    with contextlib.suppress(OSError):
        group.rmdir()
