"""Load-test a URL from a separate process and summarise latency and throughput.

Usage::

    result = load(srv.url + "/ping", concurrency=32, duration_s=5)  # closed loop
    result = load(srv.url + "/ping", rate=500, duration_s=5)        # open loop: honest tails
    result.rps, result.p99_ms

The requests come from ``python -m perflab.load._worker`` (on uvloop), never from
the kernel: an in-kernel server and its load generator would otherwise share
one GIL and measure each other.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from typing import IO, Any
from urllib.parse import urlsplit

import numpy as np

from perflab.load.recorder import unpack
from perflab.errors import PerflabError, ServerUnreachable
from perflab.i18n import _
from perflab.load.open_loop import ARRIVALS
from perflab.load.result import Batch, LoadResult, Mode
from perflab.progress import progress_bar

__all__ = ["Batch", "LoadResult", "Mode", "load"]  # Batch, LoadResult and Mode live in perflab.load.result

_STARTUP_S = 10.0  # starting Python and its imports on a busy 2-core machine can take seconds
_STALL_S = 5.0  # the worker writes a line every 0.1 s, so 5 s of silence means it is stuck
_GRACE_S = 3.0
_BAR_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| {n:.1f}/{total:g} s [{elapsed}<{remaining}{postfix}]"


def _preflight(url: str, timeout_s: float) -> None:
    """Raise ServerUnreachable at once if nothing accepts TCP connections at ``url``."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=min(timeout_s, 3.0)):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ServerUnreachable(
            _("Nothing answers at {url} ({reason}). Is its server running? Run the cell that starts it "
              "(serve(...) or serve_process(...)) again, then load it again.", url=url, reason=reason)
        ) from None


def _read_lines(proc: subprocess.Popen[bytes], hard_deadline: float) -> Iterator[dict[str, Any]]:
    """Yield the worker's JSON lines; stop at EOF, at the deadline, or after a long silence."""
    assert proc.stdout is not None
    fd, buf = proc.stdout.fileno(), b""
    silent_until = time.monotonic() + _STARTUP_S
    while True:
        limit = min(hard_deadline, silent_until)
        wait_s = limit - time.monotonic()
        if wait_s <= 0:
            raise TimeoutError
        readable, _w, _x = select.select([fd], [], [], min(wait_s, 0.5))
        if not readable:
            continue
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return
        silent_until = time.monotonic() + _STALL_S
        *lines, buf = (buf + chunk).split(b"\n")
        for line in lines:
            yield json.loads(line)


def _batch(line: dict[str, Any], previous_s: float) -> Batch:
    return Batch(
        elapsed_s=float(line["elapsed_s"]),
        window_s=float(line["elapsed_s"]) - previous_s,
        latencies_ms=np.frombuffer(unpack(line["latencies_ms"], "d"), dtype=np.float64),
        timestamps_s=np.frombuffer(unpack(line["timestamps_s"], "d"), dtype=np.float64),
        statuses=np.frombuffer(unpack(line["statuses"], "H"), dtype=np.uint16),
        errors={str(k): int(v) for k, v in line["errors"].items()},
        sent_s=float(line.get("sent_s", 0.0)),
    )


class _Progress:
    """A progress bar that appears only once the run looks longer than about two seconds."""

    def __init__(self, enabled: bool, duration_s: float | None, requests: int | None) -> None:
        self.enabled, self.duration_s, self.requests = enabled, duration_s, requests
        self.bar: Any = None
        self.done = 0
        self.shown: float = 0

    def _open(self, batch: Batch) -> None:
        if self.duration_s is not None:
            self.bar = progress_bar(self.duration_s, self.duration_s, _("load"), "s")
            if hasattr(self.bar, "bar_format"):  # seconds of seconds: a rate would be noise
                self.bar.bar_format = _BAR_FORMAT
        elif self.requests and batch.elapsed_s > 0.3 and self.done:
            # A request count has no known duration: estimate it from the rate so far.
            expected_s = self.requests * batch.elapsed_s / self.done
            self.bar = progress_bar(self.requests, expected_s, _("load"), "req")

    def update(self, batch: Batch) -> None:
        self.done += batch.count
        if self.enabled and self.bar is None:
            self._open(batch)
        if self.bar is None:
            return
        target = self.done if self.duration_s is None else min(batch.elapsed_s, self.duration_s)
        self.bar.update(target - self.shown)
        self.shown = target
        if self.duration_s is not None and hasattr(self.bar, "set_postfix_str"):
            self.bar.set_postfix_str(f"{self.done / max(batch.elapsed_s, 1e-9):,.0f} req/s")

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _spawn(cfg: dict[str, Any], stderr: IO[bytes]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "perflab.load._worker", json.dumps(cfg)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=stderr,
        # Its own session, so Ctrl-C reaches the kernel only; the kernel then kills it.
        start_new_session=True,
    )


def _reap(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()


def _collect(proc: subprocess.Popen[bytes], hard_deadline: float,
             on_batch: Callable[[Batch], None] | None, progress: _Progress) -> tuple[list[Batch], bool]:
    """Turn the worker's lines into batches; return them and whether the run finished."""
    batches: list[Batch] = []
    previous_s = 0.0
    try:
        for line in _read_lines(proc, hard_deadline):
            batch = _batch(line, previous_s)
            previous_s = batch.elapsed_s
            batches.append(batch)
            progress.update(batch)
            if on_batch is not None:
                on_batch(batch)
            if line["done"]:
                return batches, True
    except TimeoutError:
        pass
    return batches, False


def _check_args(concurrency: int | None, rate: float | None, duration_s: float | None, requests: int | None,
                arrivals: str, client: str) -> Mode:
    if client not in ("raw", "aiohttp"):
        raise ValueError(_('client must be "raw" or "aiohttp", not {client!r}.', client=client))
    if duration_s is not None and requests is not None:
        raise ValueError(_("Give either duration_s or requests, not both."))
    if (concurrency is None) == (rate is None):
        raise ValueError(_("Give either concurrency= (a closed loop: that many requests in flight) or rate= "
                           "(an open loop: that many requests per second, whatever the server does), not both."))
    if concurrency is not None and concurrency < 1:
        raise ValueError(_("concurrency must be at least 1, not {concurrency}.", concurrency=concurrency))
    if rate is not None and not rate > 0:
        raise ValueError(_("rate must be above 0 requests per second, not {rate}.", rate=rate))
    if arrivals not in ARRIVALS:
        raise ValueError(_('arrivals must be "uniform" or "poisson", not {arrivals!r}.', arrivals=arrivals))
    return Mode(concurrency, rate, arrivals)


def load(
    url: str,
    *,
    concurrency: int | None = None,
    rate: float | None = None,
    duration_s: float | None = None,
    requests: int | None = None,
    arrivals: str = "uniform",
    method: str = "GET",
    timeout_s: float = 5.0,
    on_batch: Callable[[Batch], None] | None = None,
    progress: bool = True,
    client: str = "raw",
) -> LoadResult:
    """Send requests to ``url`` and measure every one: ``concurrency`` at a time, or ``rate`` per second.

    A closed loop (``concurrency``) sends the next request when one is answered, so when the server
    stalls, it stops sending, and the stall is counted once per connection. An open loop (``rate``)
    sends each request when it is due, whatever the server does, and times it from then: the tail
    that users would see. Give one of the two.

    Args:
        url: The full URL to request, e.g. ``srv.url + "/ping"``.
        concurrency: Closed loop: how many requests are in flight at once.
        rate: Open loop: how many requests to send per second.
        duration_s: Run for this long. Defaults to 5 s when ``requests`` is not given.
        requests: Send exactly this many requests instead. Defaults to None.
        arrivals: Open loop: ``"uniform"`` (evenly spaced) or ``"poisson"`` (random, as users arrive).
            Defaults to ``"uniform"``.
        method: The HTTP method. Defaults to ``"GET"``.
        timeout_s: How long one request may take before it counts as a timeout. Defaults to 5.
        on_batch: Called with each :class:`Batch` (about every 0.1 s), e.g. by a live plot.
            Defaults to None.
        progress: Show a progress bar when the run takes longer than ~2 s. Defaults to True.
        client: ``"raw"``, an asyncio protocol with the httptools parser, which keeps up with
            wrk; or ``"aiohttp"``, which costs about three times more CPU per request and can
            become the bottleneck. Defaults to ``"raw"``.
    """
    mode = _check_args(concurrency, rate, duration_s, requests, arrivals, client)
    duration_s = 5.0 if duration_s is None and requests is None else duration_s
    _preflight(url, timeout_s)
    cfg = {"url": url, "concurrency": concurrency, "rate": rate, "arrivals": arrivals, "duration_s": duration_s,
           "requests": requests, "method": method.upper(), "timeout_s": timeout_s,
           "client": client, "parent_pid": os.getpid()}
    batches, finished = _run(cfg, on_batch, _Progress(progress, duration_s, requests))
    return LoadResult.from_batches(url, mode, batches, aborted=not finished)


def _run(cfg: dict[str, Any], on_batch: Callable[[Batch], None] | None,
         bar: _Progress) -> tuple[list[Batch], bool]:
    """Run the worker to its end or its deadline, always reap it, and return its batches."""
    duration_s = cfg["duration_s"]
    # A timed run has a hard end; a counted one only the stall check, as its length is unknown.
    budget_s = (duration_s or 0.0) + cfg["timeout_s"] + _GRACE_S + _STARTUP_S
    hard_deadline = time.monotonic() + budget_s if duration_s else float("inf")
    with tempfile.TemporaryFile() as stderr:
        proc = _spawn(cfg, stderr)
        try:
            batches, finished = _collect(proc, hard_deadline, on_batch, bar)
        finally:  # also on KeyboardInterrupt: the worker must not keep loading the server
            bar.close()
            _reap(proc)
        if not finished:
            _report_unfinished(batches, proc.returncode, stderr)
    return batches, finished


def _report_unfinished(batches: list[Batch], returncode: int, stderr: IO[bytes]) -> None:
    stderr.seek(0)
    tail = "\n".join(stderr.read().decode(errors="replace").splitlines()[-10:])
    if not batches:
        raise PerflabError(_("The load generator failed before sending any request:\n{tail}",
                             tail=tail or _("exit code {code}", code=returncode)))
    warnings.warn(
        _("The load generator stopped before the end; the result covers only the first "
          "{elapsed_s:.1f} s.", elapsed_s=batches[-1].elapsed_s) + (f"\n{tail}" if tail else ""),
        RuntimeWarning, stacklevel=4,
    )
