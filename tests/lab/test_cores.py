"""Tests for perflab.lab.cores: the cores a process may use, read from its affinity and its cgroup quota."""

from __future__ import annotations

import os
from pathlib import Path

from perflab.lab.cores import cgroup_cpu_quota, usable_cores


def test_a_quota_is_read_in_cores(tmp_path: Path) -> None:
    cpu_max = tmp_path / "cpu.max"
    cpu_max.write_text("150000 100000\n")
    assert cgroup_cpu_quota(cpu_max) == 1.5
    cpu_max.write_text("max 100000\n")
    assert cgroup_cpu_quota(cpu_max) is None
    assert cgroup_cpu_quota(tmp_path / "missing") is None


def test_usable_is_the_least_of_the_three() -> None:
    cores = usable_cores()
    assert cores["os.cpu_count()"] == os.cpu_count()
    assert cores["sched_getaffinity"] == len(os.sched_getaffinity(0))
    assert 1 <= cores["usable"] <= min(cores["os.cpu_count()"], cores["sched_getaffinity"])
