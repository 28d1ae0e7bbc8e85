"""Containment: no network beyond loopback, no process left behind, and a clear fallback.

No test sends traffic off the machine: 192.0.2.1 (TEST-NET-1) is reserved for documentation, and
it is only ever dialled inside a fresh network namespace, which has no route to anywhere.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from perflab.grading import netns
from perflab.grading.netns import Isolation, detect_isolation, warn_if_not_isolated

_DIAL = """
import errno, socket, time
from perflab.grading.netns import bring_loopback_up
bring_loopback_up()
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
socket.create_connection(server.getsockname(), timeout=2).close()
print("loopback ok")
start = time.perf_counter()
probe = socket.socket(); probe.settimeout(3)
try:
    probe.connect(("192.0.2.1", 80))
    print("reached")
except OSError as exc:
    print("blocked", exc.errno == errno.ENETUNREACH, round(time.perf_counter() - start, 2))
"""


@pytest.fixture
def isolation() -> Isolation:
    """The machine's isolation; tests that need the namespaces skip where there are none."""
    found = detect_isolation()
    if not found.network:
        pytest.skip(f"no network namespace here: {found.reason}")
    return found


@pytest.fixture
def fresh_detection() -> Iterator[None]:
    """Forget the cached probe and the warning before and after the test."""
    detect_isolation.cache_clear()
    netns._warned["done"] = False
    yield
    detect_isolation.cache_clear()
    netns._warned["done"] = False


def test_inside_the_namespace_loopback_works_and_nothing_else_is_reachable(isolation: Isolation) -> None:
    done = subprocess.run(isolation.wrap([sys.executable, "-c", _DIAL]), capture_output=True, text=True, timeout=30)
    lines = done.stdout.split()
    assert done.returncode == 0, done.stderr
    assert lines[:2] == ["loopback", "ok"]
    assert lines[2:4] == ["blocked", "True"], done.stdout  # no route at all: ENETUNREACH, not a timeout
    assert float(lines[4]) < 1.0


def test_a_process_left_behind_dies_with_the_namespace(isolation: Isolation, tmp_path: Path) -> None:
    if not isolation.processes:
        pytest.skip("no PID namespace here")
    beat = tmp_path / "beat"
    daemon = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        f"    while True:\n        open({str(beat)!r}, 'a').write('x'); time.sleep(0.05)\n"
        "time.sleep(0.3)\n"
    )
    subprocess.run(isolation.wrap([sys.executable, "-c", daemon]), timeout=30, check=True)
    time.sleep(0.2)
    size = beat.stat().st_size
    time.sleep(0.4)
    assert size > 0 and beat.stat().st_size == size


def test_the_prefix_runs_the_command_unchanged_without_namespaces() -> None:
    assert Isolation().wrap(["python", "-V"]) == ["python", "-V"]
    assert Isolation(("unshare", "--net")).wrap(["x"]) == ["unshare", "--net", "x"]


def test_turning_it_off_warns_once(fresh_detection: None, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("PERFLAB_NETNS", "off")
    found = detect_isolation()
    assert (found.network, found.processes, found.prefix) == (False, False, ())
    assert warn_if_not_isolated(found) and not warn_if_not_isolated(found)
    assert capsys.readouterr().err.count("without network isolation") == 1


def test_a_machine_without_user_namespaces_falls_back(fresh_detection: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(netns, "_fails", lambda prefix: "unshare: unshare failed: Operation not permitted")
    found = detect_isolation()
    assert not found.network and "Operation not permitted" in found.reason
