"""How many CPU cores this process may really use: the way a container sees them, not ``os.cpu_count()``."""

from __future__ import annotations

import math
import os
from pathlib import Path

__all__ = ["cgroup_cpu_quota", "usable_cores"]

_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")  # cgroup v2: "<quota> <period>" in µs, or "max <period>"


def cgroup_cpu_quota(path: Path = _CPU_MAX) -> float | None:
    """Return the cgroup's CPU quota in cores (``docker --cpus``, a Kubernetes limit), or None when unlimited.

    Args:
        path: The cgroup v2 ``cpu.max`` file. Defaults to this process's cgroup root.
    """
    try:
        quota, period = path.read_text().split()[:2]
    except (OSError, ValueError):
        return None
    return None if quota == "max" else int(quota) / int(period)


def usable_cores() -> dict[str, float | int | None]:
    """Return the machine's cores, the cores this process may run on, the cgroup quota, and what is usable.

    ``usable`` is the smallest of the three, rounded up: the number of workers to start measuring from.
    """
    machine = os.cpu_count() or 1
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else machine
    quota = cgroup_cpu_quota()
    usable = min(machine, affinity, math.ceil(quota) if quota else machine)
    return {"os.cpu_count()": machine, "sched_getaffinity": affinity, "cgroup quota": quota, "usable": usable}
