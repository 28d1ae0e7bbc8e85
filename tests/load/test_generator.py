"""Tests for perflab.load.generator: exact counts, error kinds, bounded runs, no stray workers."""

from __future__ import annotations

import os
import signal
import socket
import time
from collections.abc import Iterator

import numpy as np
import psutil
import pytest

from perflab.errors import ServerUnreachable
from perflab.load.generator import Batch, LoadResult, load
from perflab.serving.processes import ProcessServer, serve_process


@pytest.fixture(scope="module")
def server() -> Iterator[ProcessServer]:
    """One ping server shared by the module's tests: starting one costs about a second."""
    with serve_process("perflab.lab.apps.ping:app", name="test-loadgen") as srv:
        yield srv


@pytest.fixture(autouse=True)
def no_leftover_load_worker() -> Iterator[None]:
    """Fail a test that leaves a load generator process running."""
    yield
    workers = [p for p in psutil.Process().children(recursive=True)
               if "perflab.load._worker" in " ".join(_cmdline(p))]
    assert workers == []


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:
        return []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


CLIENTS = pytest.mark.parametrize("client", ["raw", "aiohttp"])


@CLIENTS
def test_requests_count_is_exact(server: ProcessServer, client: str) -> None:
    result = load(server.url + "/ping", requests=777, concurrency=16, progress=False,
                  client=client)
    assert result.requests == 777
    assert result.ok == 777
    assert result.status_counts == {200: 777}
    assert result.errors == {}
    assert result.latencies_ms.shape == result.timestamps_s.shape == (777,)


@CLIENTS
def test_http_error_statuses_are_counted(server: ProcessServer, client: str) -> None:
    result = load(server.url + "/status/503", requests=200, concurrency=8, progress=False,
                  client=client)
    assert result.status_counts == {503: 200}
    assert result.ok == 0
    assert result.requests == 200


@CLIENTS
def test_timeouts_are_counted_by_kind(server: ProcessServer, client: str) -> None:
    result = load(server.url + "/sleep?ms=2000", requests=6, concurrency=6,
                  timeout_s=0.2, progress=False, client=client)
    assert result.errors == {"timeout": 6}
    assert result.requests == 6
    assert list(result.statuses) == [0] * 6  # in the distribution, at their time to failure
    assert result.latencies_ms.min() >= 0.9 * 200  # aiohttp's timer may fire a little early


@CLIENTS
def test_head_answers_keep_the_connection_usable(server: ProcessServer, client: str) -> None:
    # A HEAD answer announces a body it never sends; a parser that waits for it would hang.
    result = load(server.url + "/ping", method="HEAD", requests=100, concurrency=4,
                  timeout_s=2, progress=False, client=client)
    assert result.requests == 100
    assert result.errors == {}


def test_duration_run_summarises_latency(server: ProcessServer) -> None:
    result = load(server.url + "/ping", duration_s=0.6, concurrency=8, progress=False)
    assert 0.6 <= result.duration_s < 0.6 + 1.0
    assert result.rps > 0
    assert result.p50_ms <= result.p90_ms <= result.p99_ms <= result.max_ms
    assert np.all(np.diff(np.sort(result.timestamps_s)) >= 0)


def test_on_batch_streams_every_request(server: ProcessServer) -> None:
    batches: list[Batch] = []
    result = load(server.url + "/ping", concurrency=8, duration_s=0.5, on_batch=batches.append, progress=False)
    assert len(batches) >= 3
    assert [b.elapsed_s for b in batches] == sorted(b.elapsed_s for b in batches)
    assert sum(b.count for b in batches) == result.requests
    assert sum(b.latencies_ms.size for b in batches) == result.latencies_ms.size


def test_unreachable_url_raises_quickly() -> None:
    url = f"http://127.0.0.1:{_free_port()}/ping"
    started_s = time.perf_counter()
    with pytest.raises(ServerUnreachable, match=url.replace("?", r"\?")):
        load(url, concurrency=1, duration_s=10)
    assert time.perf_counter() - started_s < 3


@CLIENTS
def test_server_killed_mid_run_finishes_in_bounds(client: str) -> None:
    srv = serve_process("perflab.lab.apps.ping:app", name="test-killed")

    def kill_server_once_answered(batch: Batch) -> None:
        if batch.latencies_ms.size and srv.running:
            for pid in srv.pids:
                os.kill(pid, signal.SIGKILL)

    started_s = time.perf_counter()
    try:
        result = load(srv.url + "/ping", concurrency=8, duration_s=1.5, timeout_s=1, progress=False,
                      client=client, on_batch=kill_server_once_answered)
    finally:
        srv.stop()
    # The generous bound covers a loaded 2-core machine; a hang would blow far past it.
    assert time.perf_counter() - started_s < 1.5 + 1 + 6
    assert result.ok > 0
    assert sum(result.errors.values()) > 0
    assert set(result.errors) <= {"refused", "disconnected", "connection", "timeout"}


def test_interrupt_kills_the_worker_and_propagates(server: ProcessServer) -> None:
    def interrupt(batch: Batch) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load(server.url + "/ping", concurrency=8, duration_s=30, on_batch=interrupt, progress=False)


def test_bad_arguments_are_rejected_before_any_request(server: ProcessServer) -> None:
    url = server.url + "/ping"
    with pytest.raises(ValueError, match="duration_s"):
        load(url, concurrency=1, duration_s=1, requests=10)
    with pytest.raises(ValueError, match="client"):
        load(url, concurrency=1, client="httpx")
    for neither_or_both in ({}, {"concurrency": 4, "rate": 100}):
        with pytest.raises(ValueError, match="concurrency=.*rate="):
            load(url, **neither_or_both)
    with pytest.raises(ValueError, match="rate"):
        load(url, rate=0)
    with pytest.raises(ValueError, match="arrivals"):
        load(url, rate=10, arrivals="bursty")


def test_result_renders_as_text_and_html(server: ProcessServer) -> None:
    result = load(server.url + "/ping", concurrency=4, requests=50, progress=False)
    assert isinstance(result, LoadResult)
    text = str(result)
    assert server.url in text and "p99" in text and "50" in text
    assert "<table" in result._repr_html_()


def test_stuck_worker_is_killed_and_partial_result_returned(
    server: ProcessServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("perflab.load.generator._STALL_S", 0.5)

    def freeze_worker(batch: Batch) -> None:
        for child in psutil.Process().children():
            if "perflab.load._worker" in " ".join(_cmdline(child)):
                child.send_signal(signal.SIGSTOP)  # alive but silent: the worst case

    started_s = time.perf_counter()
    with pytest.warns(RuntimeWarning, match="stopped before the end"):
        result = load(server.url + "/ping", concurrency=4, duration_s=30, on_batch=freeze_worker,
                      progress=False)
    assert time.perf_counter() - started_s < 10
    assert result.aborted
    assert "stopped early" in str(result)
