"""Tests for perflab.serving.processes: worker processes that serve, stop, and never linger."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import statistics
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from perflab.errors import PortInUse, StartupFailed
from perflab.serving.processes import ProcessServer, serve_process, stop_all_processes

PING = "perflab.lab.apps.ping:app"


@pytest.fixture
def ping_server() -> Iterator[ProcessServer]:
    """A one-worker ping server, stopped after the test."""
    with serve_process(PING, name="test-process") as server:
        yield server


@pytest.fixture(autouse=True)
def no_leftover_workers() -> Iterator[None]:
    """Fail a test that leaves a worker process behind."""
    yield
    stop_all_processes()
    assert _children() == [], "worker processes outlived the test"


def _children() -> list[psutil.Process]:
    alive = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.status() != psutil.STATUS_ZOMBIE:
                alive.append(child)
        except psutil.NoSuchProcess:
            pass
    return alive


def _get(port: int, path: str = "/ping") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


def _write_app(tmp_path: Path, body: str) -> str:
    path = tmp_path / "learner_app.py"
    path.write_text(textwrap.dedent(body))
    return f"{path}:app"


def test_serve_process_answers_on_loopback(ping_server: ProcessServer) -> None:
    assert ping_server.url == f"http://127.0.0.1:{ping_server.port}"
    assert _get(ping_server.port) == (200, b'{"ok":true}')
    assert ping_server.running


def test_stop_leaves_no_process_and_no_listener() -> None:
    server = serve_process(PING, workers=2, name="test-stop")
    assert len(server.pids) == 2
    assert {p.pid for p in _children()} >= set(server.pids)
    server.stop()
    server.stop()  # a second stop is harmless
    assert not server.running
    assert _children() == []
    assert _refuses(server.port)


def test_serving_same_name_again_replaces_the_old_server() -> None:
    first = serve_process(PING, name="test-again")
    second = serve_process(PING, name="test-again")
    try:
        assert not first.running
        assert not any(psutil.pid_exists(pid) for pid in first.pids)
        assert second.port == first.port  # a re-run cell keeps its URL
        assert _get(second.port)[0] == 200
    finally:
        second.stop()


def test_file_target_is_served(tmp_path: Path) -> None:
    target = _write_app(tmp_path, """
        from fastapi import FastAPI
        app = FastAPI()

        @app.get("/hello")
        def hello() -> str:
            return "from a file"
    """)
    with serve_process(target, name="test-file") as server:
        assert _get(server.port, "/hello") == (200, b'"from a file"')


def test_failing_startup_raises_with_worker_output(tmp_path: Path) -> None:
    target = _write_app(tmp_path, """
        from contextlib import asynccontextmanager
        from fastapi import FastAPI

        @asynccontextmanager
        async def lifespan(app):
            raise RuntimeError("database is on fire 4711")
            yield

        app = FastAPI(lifespan=lifespan)
    """)
    with pytest.raises(StartupFailed, match="database is on fire 4711"):
        serve_process(target, workers=2, name="test-broken")


def test_import_error_raises_startup_failed() -> None:
    with pytest.raises(StartupFailed, match="no_such_module_xyz"):
        serve_process("no_such_module_xyz:app", name="test-import")


def test_malformed_target_fails_before_spawning() -> None:
    with pytest.raises(StartupFailed, match="module:app"):
        serve_process("perflab.lab.apps.ping", name="test-malformed")


def test_taken_port_raises_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(PortInUse, match=str(taken.getsockname()[1])):
            serve_process(PING, name="test-port", port=taken.getsockname()[1])


def test_repr_shows_url_as_text_and_html(ping_server: ProcessServer) -> None:
    assert ping_server.url in repr(ping_server)
    assert ping_server.url in ping_server._repr_html_()
    assert "<table" in ping_server._repr_html_()


def _sequential_p50_ms(port: int, n: int = 150) -> float:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    latencies_ms = []
    for _ in range(n):
        t0 = time.perf_counter()
        conn.request("GET", "/ping")
        conn.getresponse().read()
        latencies_ms.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return statistics.median(latencies_ms[10:])  # the first requests warm up the worker


@contextlib.contextmanager
def _plain_uvicorn(http: str, loop: str) -> Iterator[int]:
    """A one-process `uvicorn` CLI server: it binds its own socket, so it never stalls."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    cmd = [sys.executable, "-m", "uvicorn", PING, "--port", str(port), "--http", http,
           "--loop", loop, "--no-access-log", "--log-level", "warning"]
    proc = subprocess.Popen(cmd)
    try:
        deadline = time.monotonic() + 15
        while _refuses(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.mark.parametrize(("http", "loop"), [("auto", "auto"), ("h11", "asyncio")])
def test_workers_have_no_nagle_stall(http: str, loop: str) -> None:
    # `uvicorn --workers 2` on the plain stack (h11, asyncio) answers at a flat ~44 ms
    # (uvicorn #3149), ~100x a plain one-process uvicorn; a side-by-side ratio is robust.
    with _plain_uvicorn(http, loop) as reference_port:
        with serve_process(PING, workers=1, name="nagle-1", http=http, loop=loop) as one:
            with serve_process(PING, workers=2, name="nagle-2", http=http, loop=loop) as two:
                reference_ms = _sequential_p50_ms(reference_port)
                one_ms = _sequential_p50_ms(one.port)
                two_ms = _sequential_p50_ms(two.port)
    assert two_ms / one_ms < 5
    assert max(one_ms, two_ms) / reference_ms < 5


def test_workers_die_with_their_parent() -> None:
    code = (
        "from perflab.serving.processes import serve_process\n"
        f"s = serve_process({PING!r}, workers=2)\n"
        "print(*s.pids, flush=True)\n"
        "import time; time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pids = [int(pid) for pid in parent.stdout.readline().split()]
    os.kill(parent.pid, signal.SIGKILL)  # no atexit, no cleanup: only PDEATHSIG can help
    parent.wait()
    gone, alive = psutil.wait_procs([psutil.Process(pid) for pid in pids], timeout=10)
    assert len(pids) == 2 and alive == []


def test_uvicorn_settings_reach_the_workers() -> None:
    """timeout_keep_alive=1 closes an idle connection after a second: reusing it then fails."""
    with serve_process(PING, name="test-settings", timeout_keep_alive=1) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/ping")
        conn.getresponse().read()
        time.sleep(1.5)
        with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
            conn.request("GET", "/ping")
            conn.getresponse().read()
        conn.close()


def test_an_unknown_setting_is_refused_before_any_worker_starts() -> None:
    with pytest.raises(TypeError, match="limit_concurency"):
        serve_process(PING, name="test-typo", limit_concurency=8)
    with pytest.raises(TypeError, match="does not take reload"):
        serve_process(PING, name="test-fixed", reload=True)  # set by serve_process itself, or meaningless here
    assert _children() == []
