"""What a load test measured: streamed batches and their summary, as text and as HTML.

Every request is in the distribution: a failed one (status 0) at its time to failure, and its
kind is counted in ``errors``, so a timeout or a refused connection is never silently left out.
The percentiles come from an HDR histogram (the ``hdrhistogram`` package), which keeps the whole
distribution at three significant digits.

Usage::

    result = LoadResult.from_batches(url, Mode(concurrency=32), batches)
    print(result)  # a table; Jupyter shows it as HTML
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from hdrh.histogram import HdrHistogram

from perflab.i18n import _, number
from perflab.render import table_html, table_text

__all__ = ["Batch", "LoadResult", "Mode", "latency_histogram"]

_HIGHEST_US = 3_600_000_000  # an hour, in microseconds: no request a course times takes longer


@dataclass(frozen=True)
class Mode:
    """How the load was offered: ``concurrency`` requests in flight (closed loop), or ``rate`` per second (open)."""

    concurrency: int | None = None
    rate: float | None = None
    arrivals: str = "uniform"

    def __str__(self) -> str:
        if self.rate is None:
            return _("closed loop, {concurrency} in flight", concurrency=self.concurrency)
        return _("open loop, {rate:g} req/s asked ({arrivals})", rate=self.rate, arrivals=self.arrivals)


def latency_histogram(latencies_ms: np.ndarray) -> HdrHistogram:
    """Return an HDR histogram of ``latencies_ms``, in microseconds, at three significant digits.

    Args:
        latencies_ms: One latency per request, in milliseconds.
    """
    histogram = HdrHistogram(1, _HIGHEST_US, 3)
    microseconds = np.clip(np.rint(latencies_ms * 1000.0), 1, _HIGHEST_US).astype(np.int64)
    for value, count in zip(*np.unique(microseconds, return_counts=True)):  # one call per distinct value
        histogram.record_value(int(value), int(count))
    return histogram


@dataclass(frozen=True, eq=False)
class Batch:
    """About 0.1 s of results as the worker streamed them: what a live plot draws."""

    elapsed_s: float  # since the load started, at the end of this batch
    window_s: float  # how much time this batch covers
    latencies_ms: np.ndarray  # one per finished request; a failed one at its time to failure
    timestamps_s: np.ndarray  # when each of those requests started (open loop: was due), since the load started
    statuses: np.ndarray  # the HTTP status of each of those requests; 0 for no response
    errors: dict[str, int]  # failures by kind: refused, timeout, disconnected, ...
    sent_s: float = 0.0  # when the last request so far was sent, since the load started

    @property
    def count(self) -> int:
        """How many requests finished in this batch, failed ones included."""
        return int(self.statuses.size)

    @property
    def error_count(self) -> int:
        """How many requests in this batch got no HTTP response."""
        return sum(self.errors.values())


def _concat(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0, dtype=dtype)


@dataclass(frozen=True, eq=False)
class LoadResult:
    """What one load test measured. Latencies cover every request, a failed one at its time to failure."""

    url: str
    mode: Mode
    duration_s: float
    requests: int
    ok: int  # responses with a 2xx or 3xx status
    errors: dict[str, int]  # requests with no response, by kind
    status_counts: dict[int, int]  # responses by HTTP status
    rps: float  # responses per second, like wrk's Requests/sec
    sent_rate: float  # requests sent per second: in open loop, compare it with the rate asked
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    histogram: HdrHistogram = field(repr=False)  # every latency, in microseconds
    # One entry per request, aligned, for plots drawn afterwards.
    latencies_ms: np.ndarray = field(repr=False)
    timestamps_s: np.ndarray = field(repr=False)  # start of each request (open loop: when due), since the load began
    statuses: np.ndarray = field(repr=False)  # 0 for a request with no response
    aborted: bool = False  # True when the run was cut short and covers only part of it

    @property
    def concurrency(self) -> int | None:
        """How many requests were kept in flight (closed loop), or None (open loop)."""
        return self.mode.concurrency

    @property
    def failed(self) -> int:
        """How many requests got no response."""
        return sum(self.errors.values())

    def percentile_ms(self, percent: float) -> float:
        """Return the latency below which ``percent`` % of the requests finished, in milliseconds.

        Args:
            percent: From 0 to 100, e.g. 99.9.
        """
        if not self.requests:
            return float("nan")
        return self.histogram.get_value_at_percentile(percent) / 1000.0

    @classmethod
    def from_batches(cls, url: str, mode: Mode, batches: list[Batch], aborted: bool = False) -> LoadResult:
        """Aggregate streamed batches into one result.

        Args:
            url: The URL that was loaded.
            mode: How the load was offered.
            batches: Every batch, in order.
            aborted: Whether the run was cut short. Defaults to False.
        """
        latencies_ms = _concat([b.latencies_ms for b in batches], np.float64)
        statuses = _concat([b.statuses for b in batches], np.uint16)
        codes, counts = np.unique(statuses[statuses > 0], return_counts=True)
        errors: Counter[str] = Counter()
        for b in batches:
            errors.update(b.errors)
        duration_s = batches[-1].elapsed_s if batches else 0.0
        sent_s = max((b.sent_s for b in batches), default=0.0)
        histogram = latency_histogram(latencies_ms)
        has = latencies_ms.size > 0
        p50, p90, p99 = ([histogram.get_value_at_percentile(q) / 1000.0 for q in (50, 90, 99)] if has
                         else [np.nan] * 3)
        return cls(
            url=url, mode=mode, duration_s=duration_s, requests=int(statuses.size),
            ok=int(((statuses >= 200) & (statuses < 400)).sum()),
            errors=dict(errors), status_counts={int(c): int(n) for c, n in zip(codes, counts)},
            rps=int(counts.sum()) / duration_s if duration_s > 0 else 0.0,
            sent_rate=statuses.size / sent_s if sent_s > 0 else 0.0,
            p50_ms=float(p50), p90_ms=float(p90), p99_ms=float(p99),
            max_ms=float(latencies_ms.max()) if has else np.nan,
            mean_ms=float(latencies_ms.mean()) if has else np.nan, histogram=histogram,
            latencies_ms=latencies_ms, statuses=statuses,
            timestamps_s=_concat([b.timestamps_s for b in batches], np.float64), aborted=aborted,
        )

    def _rows(self) -> tuple[list[str], list[list[object]]]:
        counts = lambda d: ", ".join(f"{k}: {number(v, ',')}" for k, v in sorted(d.items())) or "0"  # noqa: E731
        rows: list[list[object]] = [
            [_("requests"), number(self.requests, ",")], [_("load"), str(self.mode)],
            [_("duration"), _("{seconds:.2f} s", seconds=self.duration_s)],
            [_("throughput"), _("{rate:,.0f} req/s", rate=self.rps)],
            [_("status codes"), counts(self.status_counts)], [_("errors"), counts(self.errors)],
        ]
        if self.mode.rate is not None:
            rows.insert(2, [_("sent"), _("{rate:,.1f} req/s", rate=self.sent_rate)])
        for label, value in (("p50", self.p50_ms), ("p90", self.p90_ms), ("p99", self.p99_ms),
                             (_("max"), self.max_ms), (_("mean"), self.mean_ms)):
            rows.append([_("latency {label}", label=label), _("{ms:.2f} ms", ms=value)])
        if self.failed:
            rows.append([_("note"), _("failed requests are in the latencies, at their time to failure")])
        return [_("metric"), _("value")], rows

    def _title(self) -> str:
        title = _("Load test of {url}", url=self.url)
        return title + (" " + _("(stopped early)") if self.aborted else "")

    def __str__(self) -> str:
        return table_text(*self._rows(), title=self._title())

    def _repr_html_(self) -> str:
        return table_html(*self._rows(), title=self._title())
