"""What a load test measured: streamed batches and their summary, as text and as HTML.

Usage::

    result = LoadResult.from_batches(url, concurrency=32, batches=batches)
    print(result)  # a table; Jupyter shows it as HTML
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from perflab.i18n import _
from perflab.render import table_html, table_text

__all__ = ["Batch", "LoadResult"]


@dataclass(frozen=True, eq=False)
class Batch:
    """About 0.1 s of results as the worker streamed them: what a live plot draws."""

    elapsed_s: float  # since the load started, at the end of this batch
    window_s: float  # how much time this batch covers
    latencies_ms: np.ndarray  # one per request that got an HTTP response, 5xx included
    timestamps_s: np.ndarray  # when each of those requests started, since the load started
    statuses: np.ndarray  # the HTTP status of each of those requests
    errors: dict[str, int]  # failures by kind: refused, timeout, disconnected, ...

    @property
    def count(self) -> int:
        """How many requests finished in this batch, failed ones included."""
        return int(self.statuses.size) + self.error_count

    @property
    def error_count(self) -> int:
        """How many requests in this batch got no HTTP response."""
        return sum(self.errors.values())


def _concat(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
    return np.concatenate(arrays) if arrays else np.empty(0, dtype=dtype)


@dataclass(frozen=True, eq=False)
class LoadResult:
    """What one load test measured. Latencies cover the requests that got an HTTP response."""

    url: str
    concurrency: int
    duration_s: float
    requests: int
    ok: int  # responses with a 2xx or 3xx status
    errors: dict[str, int]
    status_counts: dict[int, int]
    rps: float  # responses per second, like wrk's Requests/sec
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    # One entry per request that got a response, aligned, for plots drawn afterwards.
    latencies_ms: np.ndarray = field(repr=False)
    timestamps_s: np.ndarray = field(repr=False)  # start of each request, since the load began
    statuses: np.ndarray = field(repr=False)
    aborted: bool = False  # True when the run was cut short and covers only part of it

    @classmethod
    def from_batches(cls, url: str, concurrency: int, batches: list[Batch],
                     aborted: bool = False) -> LoadResult:
        """Aggregate streamed batches into one result.

        Args:
            url: The URL that was loaded.
            concurrency: How many requests were in flight at once.
            batches: Every batch, in order.
            aborted: Whether the run was cut short. Defaults to False.
        """
        latencies_ms = _concat([b.latencies_ms for b in batches], np.float64)
        statuses = _concat([b.statuses for b in batches], np.uint16)
        codes, counts = np.unique(statuses, return_counts=True)
        errors: Counter[str] = Counter()
        for b in batches:
            errors.update(b.errors)
        duration_s = batches[-1].elapsed_s if batches else 0.0
        has = latencies_ms.size > 0
        p50, p90, p99 = np.percentile(latencies_ms, [50, 90, 99]) if has else (np.nan,) * 3
        return cls(
            url=url, concurrency=concurrency, duration_s=duration_s,
            requests=int(statuses.size) + sum(errors.values()),
            ok=int(((statuses >= 200) & (statuses < 400)).sum()),
            errors=dict(errors), status_counts={int(c): int(n) for c, n in zip(codes, counts)},
            rps=statuses.size / duration_s if duration_s > 0 else 0.0,
            p50_ms=float(p50), p90_ms=float(p90), p99_ms=float(p99),
            max_ms=float(latencies_ms.max()) if has else np.nan,
            mean_ms=float(latencies_ms.mean()) if has else np.nan,
            latencies_ms=latencies_ms, statuses=statuses,
            timestamps_s=_concat([b.timestamps_s for b in batches], np.float64), aborted=aborted,
        )

    def _rows(self) -> tuple[list[str], list[list[object]]]:
        counts = lambda d: ", ".join(f"{k}: {v:,}" for k, v in sorted(d.items())) or "0"  # noqa: E731
        rows: list[list[object]] = [
            [_("requests"), f"{self.requests:,}"], [_("concurrency"), self.concurrency],
            [_("duration"), f"{self.duration_s:.2f} s"], [_("throughput"), f"{self.rps:,.0f} req/s"],
            [_("status codes"), counts(self.status_counts)], [_("errors"), counts(self.errors)],
        ]
        for label, value in (("p50", self.p50_ms), ("p90", self.p90_ms), ("p99", self.p99_ms),
                             (_("max"), self.max_ms), (_("mean"), self.mean_ms)):
            rows.append([_("latency {label}", label=label), f"{value:.2f} ms"])
        return [_("metric"), _("value")], rows

    def _title(self) -> str:
        title = _("Load test of {url}", url=self.url)
        return title + (" " + _("(stopped early)") if self.aborted else "")

    def __str__(self) -> str:
        return table_text(*self._rows(), title=self._title())

    def _repr_html_(self) -> str:
        return table_html(*self._rows(), title=self._title())
