"""Tests for perflab.serving.commands: a server's own command line, its workers, and nothing left behind."""

from __future__ import annotations

import http.client
import json
import math
from collections.abc import Iterator

import psutil
import pytest

from perflab.errors import StartupFailed
from perflab.lab.probes import answering_pids, until
from perflab.serving.commands import serve_command, stop_all_commands

APP = "perflab.lab.apps.servers:app"
UVICORN = ["uvicorn", APP, "--port", "{port}", "--log-level", "warning"]


def _descendants() -> list[psutil.Process]:
    return [p for p in psutil.Process().children(recursive=True)
            if "multiprocessing.resource_tracker" not in " ".join(p.cmdline())]


@pytest.fixture(autouse=True)
def nothing_left_behind() -> Iterator[None]:
    """Fail a test that leaves a manager or a worker process behind."""
    yield
    stop_all_commands()
    until(lambda: not _descendants(), timeout_s=5)
    assert not _descendants(), "server processes outlived the test"


def test_the_command_serves_on_the_port_it_was_given() -> None:
    with serve_command(UVICORN, name="test-cmd") as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("GET", "/ping")
        assert json.loads(conn.getresponse().read())["pid"] > 0
        conn.close()
        assert server.command.startswith("uvicorn perflab.lab.apps.servers:app --port ")
        assert str(server.port) in server.command


def test_a_killed_worker_is_replaced_by_its_manager() -> None:
    with serve_command(UVICORN + ["--workers", "2"], name="test-kill") as server:
        assert not math.isnan(until(lambda: len(server.workers()) == 2)), "uvicorn did not start two workers"
        before = set(server.workers())
        killed = server.kill_worker()
        assert killed in before
        waited = until(lambda: bool((set(server.workers()) - before) & answering_pids(server.url)), timeout_s=15)
        assert not math.isnan(waited), "uvicorn's supervisor did not replace the killed worker"
        assert killed not in server.workers()


def test_a_command_that_fails_reports_its_last_lines() -> None:
    with pytest.raises(StartupFailed, match="no_such_module"):
        serve_command(["uvicorn", "no_such_module:app", "--port", "{port}"], name="test-broken", timeout_s=10)


def test_logs_stay_readable_after_stop() -> None:
    server = serve_command(UVICORN[:-2] + ["--log-level", "info"], name="test-logs")
    server.stop()
    assert "Application startup complete" in server.logs(lines=50)
    assert not server.running
