"""Tests for perflab.lab.probes: what one connection at a time sees of a server."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from perflab.lab.probes import by_status, cpu_seconds, keepalive_ms, new_connection_ms, reuse_after, which_workers
from perflab.load.result import Batch, LoadResult, Mode
from perflab.serving.processes import ProcessServer, serve_process

APP = "perflab.lab.apps.servers:app"


@pytest.fixture(scope="module")
def server() -> Iterator[ProcessServer]:
    """Two workers that close idle connections after one second."""
    with serve_process(APP, name="test-probes", workers=2, timeout_keep_alive=1) as srv:
        yield srv


def test_a_connection_idle_past_the_servers_timeout_fails_and_one_within_it_works(server: ProcessServer) -> None:
    assert reuse_after(server.url, idle_s=1.5, connections=3) == {"RemoteDisconnected": 3}
    assert reuse_after(server.url, idle_s=0.2, connections=3) == {"ok": 3}


def test_timings_are_positive_and_every_connection_is_counted(server: ProcessServer) -> None:
    assert keepalive_ms(server.url, requests=5) > 0
    assert new_connection_ms(server.url, requests=5) > 0
    accepted = which_workers(server.url, connections=8)
    assert sum(accepted.values()) == 8 and set(accepted) <= set(server.pids)
    assert cpu_seconds(server.pids) > 0


def test_by_status_splits_served_refused_and_lost() -> None:
    statuses = np.array([200, 200, 503, 0, 500], dtype=np.uint16)
    latencies = np.array([10.0, 20.0, 1.0, 5000.0, 3.0])
    batch = Batch(elapsed_s=2.0, window_s=2.0, latencies_ms=latencies, timestamps_s=np.zeros(5),
                  statuses=statuses, errors={"timeout": 1}, sent_s=1.0)
    split = by_status(LoadResult.from_batches("http://x/", Mode(rate=5), [batch]))
    assert (split["served"], split["503"], split["lost"], split["goodput"]) == (2, 1, 2, 1.0)
    assert split["p99_503_ms"] == 1.0 and 10 < split["p99_served_ms"] <= 20
