"""What a process running learner code sets up: an os._exit that says where, limits, an end on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=30)


def test_os_exit_tells_its_line_then_ends_with_its_status() -> None:
    done = _python("""
        import os
        from perflab.checking.guards import guard_exit
        guard_exit(lambda message: print(message, flush=True))
        os._exit(3)
    """)
    assert done.returncode == 3
    assert "os._exit(3) on line 5" in done.stdout


def test_a_forked_child_exits_as_it_asked_without_telling() -> None:
    done = _python("""
        import os
        from perflab.checking.guards import guard_exit
        guard_exit(lambda message: print("told", flush=True))
        pid = os.fork()
        if pid == 0:
            os._exit(7)
        print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
    """)
    assert done.stdout.split() == ["7"]


def test_the_memory_limit_turns_a_runaway_allocation_into_memory_error() -> None:
    done = _python("""
        from perflab.checking.guards import limit_resources
        limit_resources(memory_mb=400, cpu_s=0)
        try:
            blob = bytearray(1 << 30)
        except MemoryError:
            print("MemoryError")
    """)
    assert done.stdout.strip() == "MemoryError"


def test_sigterm_ends_the_process_and_what_it_started() -> None:
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import signal, subprocess, sys, time
        from perflab.checking.guards import end_on_signal
        from perflab.serving.lifetime import become_subreaper
        become_subreaper()
        signal.signal(signal.SIGTERM, end_on_signal)
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"], start_new_session=True)
        print(child.pid, flush=True)
        time.sleep(60)
    """)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    child_pid = int(proc.stdout.readline())
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=10) == 128 + signal.SIGTERM
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(child_pid):
        time.sleep(0.05)
    assert not _alive(child_pid)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False
