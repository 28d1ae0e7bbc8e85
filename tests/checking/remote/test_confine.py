"""The read-only world: nothing but the private working folder can be written, it fills up, and forks are capped."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from perflab.checking.remote.confine import end_cgroup, pids_cgroup

_CONFINED = """
import errno, os, sys
from pathlib import Path
from perflab.checking.remote.confine import confine
outside, workdir = Path(sys.argv[1]), Path(sys.argv[2])
confine(4, workdir)
results = {}
for name, path in [("outside", outside), ("tmp", Path("/tmp/perflab-confine-probe")), ("here", Path("here.txt"))]:
    try:
        path.write_text("x")
        results[name] = "written"
    except OSError as exc:
        results[name] = errno.errorcode[exc.errno]
try:
    Path("big").write_bytes(b"x" * 8 * 2**20)
    results["big"] = "written"
except OSError as exc:
    results["big"] = errno.errorcode[exc.errno]
results["tmpdir"] = os.environ["TMPDIR"] == str(workdir) and Path.cwd() == workdir
print(results)
"""


def _confined(tmp_path: Path) -> dict[str, object]:
    workdir = tmp_path / "work"
    workdir.mkdir()
    done = subprocess.run([sys.executable, "-c", _CONFINED, str(tmp_path / "outside.txt"), str(workdir)],
                          capture_output=True, text=True, timeout=60)
    if "unshare" in done.stderr and done.returncode:
        pytest.skip("user namespaces are off here: " + done.stderr.strip().splitlines()[-1])
    assert done.returncode == 0, done.stderr
    return eval(done.stdout.strip().splitlines()[-1])  # noqa: S307 - our own probe's dict


def test_only_the_private_folder_can_be_written_and_it_fills_up(tmp_path: Path) -> None:
    results = _confined(tmp_path)
    assert results == {"outside": "EROFS", "tmp": "EROFS", "here": "written", "big": "ENOSPC", "tmpdir": True}
    assert not (tmp_path / "outside.txt").exists() and not list((tmp_path / "work").iterdir())  # nothing leaked out


_FORKS = """
import os, sys, time
from pathlib import Path
from perflab.checking.remote.confine import join_cgroup
join_cgroup(Path(sys.argv[1]), 8)
started = 0
try:
    for _i in range(40):
        if os.fork() == 0:
            os.close(1), os.close(2)  # not holding the pipe that subprocess.run reads to its end
            time.sleep(30)
            os._exit(0)
        started += 1
except BlockingIOError:
    pass
print(started)
os._exit(0)
"""


def test_a_pids_cgroup_caps_the_processes_and_ends_them(tmp_path: Path) -> None:
    group = pids_cgroup(f"perflab-test-{os.getpid()}", 8)
    if group is None:
        pytest.skip("no pids cgroup can be made here (RLIMIT_NPROC is the cap then)")
    try:
        done = subprocess.run([sys.executable, "-c", _FORKS, str(group)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        assert int(done.stdout) < 8  # the probe itself is one of the 8
        assert (group / "cgroup.procs").read_text().split()  # its sleeping children are still there
    finally:
        end_cgroup(group)
    assert not group.exists()
