"""Small probes that chapter 07 points at servers: one connection at a time, as a browser or a proxy would.

Each one uses ``http.client`` from the standard library on purpose: it does exactly what it is told,
with no retries and no check of a pooled connection before reuse, so what it reports is what the
server did.
"""

from __future__ import annotations

import http.client
import json
import statistics
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import numpy as np
import psutil

from perflab.load.result import LoadResult

__all__ = ["answering_pids", "by_status", "cpu_seconds", "keepalive_ms", "new_connection_ms", "reuse_after", "which_workers", "until"]


def _connection(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=10)


def _get(conn: http.client.HTTPConnection, path: str) -> bytes:
    conn.request("GET", path)
    return conn.getresponse().read()


def keepalive_ms(url: str, path: str = "/ping", requests: int = 20) -> float:
    """Return the median time of ``requests`` GETs sent one after another on one kept-alive connection, in ms.

    Args:
        url: The server's base URL.
        path: What to request. Defaults to ``"/ping"``.
        requests: How many requests. Defaults to 20.
    """
    conn, times = _connection(url), []
    _get(conn, path)  # the connection is open before the clock starts
    for _ in range(requests):
        start = time.perf_counter()
        _get(conn, path)
        times.append(time.perf_counter() - start)
    conn.close()
    return statistics.median(times) * 1000


def new_connection_ms(url: str, path: str = "/ping", requests: int = 100) -> float:
    """Return the median time of ``requests`` GETs that each open, use and close a new connection, in ms.

    Args:
        url: The server's base URL.
        path: What to request. Defaults to ``"/ping"``.
        requests: How many requests. Defaults to 100.
    """
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        conn = _connection(url)
        _get(conn, path)
        times.append(time.perf_counter() - start)
        conn.close()
    return statistics.median(times) * 1000


def reuse_after(url: str, idle_s: float, connections: int = 10, path: str = "/ping") -> Counter[str]:
    """Open ``connections``, use each once, leave them idle ``idle_s``, use each again; count the outcomes.

    Args:
        url: The server's base URL.
        idle_s: How long the connections stay idle between the two requests.
        connections: How many connections. Defaults to 10.
        path: What to request. Defaults to ``"/ping"``.
    """
    conns = [_connection(url) for _ in range(connections)]
    for conn in conns:
        _get(conn, path)
    time.sleep(idle_s)
    outcomes: Counter[str] = Counter()
    for conn in conns:
        try:
            _get(conn, path)
            outcomes["ok"] += 1
        except (http.client.HTTPException, OSError) as exc:
            outcomes[type(exc).__name__] += 1
        conn.close()
    return outcomes


def which_workers(url: str, connections: int = 32) -> Counter[int]:
    """Open ``connections`` at the same moment, send one request on each; count the answering worker pids.

    Args:
        url: The base URL of a server whose ``/ping`` answers ``{"pid": ...}``.
        connections: How many connections open together. Defaults to 32.
    """
    conns = [_connection(url) for _ in range(connections)]
    for conn in conns:
        conn.connect()  # all connected, and accepted by whichever worker woke first, before any request
    with ThreadPoolExecutor(min(connections, 32)) as pool:
        pids = list(pool.map(lambda conn: json.loads(_get(conn, "/ping"))["pid"], conns))
    for conn in conns:
        conn.close()
    return Counter(pids)


def answering_pids(url: str, requests: int = 8) -> set[int]:
    """Return the worker pids that answered ``requests`` GETs to ``/ping``, each on a new connection.

    Args:
        url: The base URL of a server whose ``/ping`` answers ``{"pid": ...}``.
        requests: How many requests. Defaults to 8.
    """
    pids = set()
    for _ in range(requests):
        conn = _connection(url)
        try:
            pids.add(json.loads(_get(conn, "/ping"))["pid"])
        except (http.client.HTTPException, OSError, ValueError):
            pass  # a worker that is starting or dying: ask again
        finally:
            conn.close()
    return pids


def cpu_seconds(pids: list[int]) -> float:
    """Return the CPU time, user and system, that the processes ``pids`` have used so far, in seconds.

    Args:
        pids: Process ids, e.g. a server's workers; one that has exited counts as 0.
    """
    total = 0.0
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def until(done: Callable[[], bool], timeout_s: float = 10.0, step_s: float = 0.005) -> float:
    """Poll ``done`` until it returns True, and return how long that took, in seconds (``nan`` on timeout).

    Args:
        done: The condition to wait for.
        timeout_s: How long to wait at most. Defaults to 10 s.
        step_s: The pause between polls. Defaults to 5 ms.
    """
    start = time.perf_counter()
    while not done():
        if time.perf_counter() - start > timeout_s:
            return float("nan")
        time.sleep(step_s)
    return time.perf_counter() - start


def by_status(result: LoadResult) -> dict[str, float]:
    """Split a load test into what was served (2xx), turned away (503) and lost (no answer, other errors).

    Args:
        result: A finished load test.
    """
    served, refused = result.statuses == 200, result.statuses == 503
    lost = ~(served | refused)

    def p99(mask: np.ndarray) -> float:
        return round(float(np.percentile(result.latencies_ms[mask], 99)), 1) if mask.any() else float("nan")

    goodput = served.sum() / result.duration_s if result.duration_s else 0.0
    return {"served": int(served.sum()), "503": int(refused.sum()), "lost": int(lost.sum()),
            "goodput": round(float(goodput), 1), "p99_served_ms": p99(served), "p99_503_ms": p99(refused)}
