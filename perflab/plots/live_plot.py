"""The live latency plot of a running load test, and the charts it leaves behind.

``Chart``, ``LoadTimeline``, ``latency_timeline`` and ``ratio_chart`` live in ``perflab.plots.charts``;
they are importable from here too.
"""

from __future__ import annotations

import math
import threading
import time
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

from perflab.plots.charts import Chart, Floats, LoadTimeline, latency_timeline, p50_p99, panels_png, ratio_chart
from perflab.plots.fonts import plot_text, setup_fonts
from perflab.i18n import _
from perflab.render import in_notebook
from perflab.plots.svg import Line, Panel, panels_svg

__all__ = ["Chart", "LiveLatencyPlot", "LoadTimeline", "latency_timeline", "ratio_chart"]

_MAX_INTERVAL_S = 0.5  # a live plot redraws at least twice a second
Series = dict[str, np.ndarray]


def _labels() -> dict[str, str]:
    # Looked up once a plot: a catalog lookup costs more than the rest of a frame.
    return {"time": plot_text("time (s)"), "p50": plot_text("p50 (median)"), "p99": plot_text("p99"),
            "rps": plot_text("requests/s"), "eps": plot_text("errors/s"),
            "latency": plot_text("Latency (ms)"), "throughput": plot_text("Throughput (requests/s)")}


def _panels(series: Series, bucket_s: float, labels: dict[str, str]) -> list[Panel]:
    # One description of the two panels, drawn as SVG while running and by matplotlib at the end.
    t = series["t"]
    x0 = float(t[0]) - bucket_s / 2 if t.size else 0.0
    x1 = max(float(t[-1]) + bucket_s / 2 if t.size else 0.0, x0 + bucket_s)
    latency = (Line(labels["p50"], "#1f77b4", series["p50"]),  # matplotlib's tab:blue
               Line(labels["p99"], "#ff7f0e", series["p99"]))  # tab:orange
    throughput = (Line(labels["rps"], "#2ca02c", series["rps"]),  # tab:green
                  Line(labels["eps"], "#d62728", series["eps"]))  # tab:red
    return [Panel(labels["latency"], labels["time"], t, (x0, x1), latency),
            Panel(labels["throughput"], labels["time"], t, (x0, x1), throughput)]


class LiveLatencyPlot:
    """Latency and throughput of a running load test, redrawn in place as batches arrive.

    Batches are summed into ``bucket_s`` time buckets, as d2l's ProgressBoard averages
    its points, so a frame costs the same after one second or ten minutes. A frame is
    SVG markup that ``add`` writes in about a millisecond and the browser draws, so the
    plot barely disturbs a server under test in the same kernel. Frames come no sooner
    than ``min_interval_s`` apart and no later than 0.5 s. In Jupyter they show in an
    ``ipywidgets.HTML``, which ``finish`` replaces with a static ``Chart`` (a PNG drawn
    by matplotlib) that the saved notebook keeps.

    Args:
        title: The heading above both panels. Defaults to "Load test", translated.
        min_interval_s: The least time between two frames. Defaults to 0.25.
        window_s: While running, show only the last ``window_s`` seconds. Defaults
            to the whole run; the final chart always shows the whole run.
        bucket_s: The width of a time bucket. Defaults to 0.5.
        live: Whether to build frames while running. Defaults to True inside Jupyter.
        clock: Returns the time in seconds. Defaults to ``time.monotonic``.
    """

    def __init__(self, title: str | None = None, min_interval_s: float = 0.25,
                 window_s: float | None = None, *, bucket_s: float = 0.5,
                 live: bool | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        if min_interval_s < 0 or bucket_s <= 0 or (window_s is not None and window_s <= 0):
            raise ValueError(_("min_interval_s must be 0 or more; bucket_s and window_s more than 0."))
        setup_fonts()  # here, in the learner's thread, so a missing-font warning shows in the cell
        self.title = title if title is not None else plot_text("Load test")
        self._labels = _labels()
        self.min_interval_s, self.window_s, self.bucket_s = min_interval_s, window_s, bucket_s
        self.live = in_notebook() if live is None else live
        self.redraws = 0  # frames built: the rate logic, testable with a fake clock
        self.draw_time_s = 0.0  # time spent building frames, measured by ``clock``
        self.last_frame_svg: str | None = None
        self.final_chart: Chart | None = None
        self._clock, self._lock = clock, threading.Lock()
        self._all_ms: array[float] = array("d")
        self._counts: dict[int, list[int]] = {}  # bucket -> [requests, errors]
        self._raw: dict[int, list[float]] = {}  # open buckets' latencies
        self._summary: dict[int, tuple[float, float]] = {}  # closed buckets' p50, p99
        self._elapsed_s, self._last_frame_s, self._last_cost_s = 0.0, -math.inf, 0.0
        self._widget: Any = None
        self._handle: Any = None
        if self.live and in_notebook():
            self._show_widget()

    def add(self, elapsed_s: float, latencies_ms: Floats, errors: int = 0) -> None:
        """Record one batch of finished requests, and show a new frame if one is due.

        Args:
            elapsed_s: Seconds from the start of the test to the end of this batch.
            latencies_ms: The latency of each finished request in the batch, a failed one at its time to failure.
            errors: How many requests in the batch failed. Defaults to 0.
        """
        with self._lock:
            self._record(elapsed_s, latencies_ms, errors)
            if not self.live or self.final_chart is not None or not self._frame_due():
                return
            started_s = self._last_frame_s = self._clock()
            self.redraws += 1
            self.last_frame_svg = self.frame_svg()
            if self._widget is not None:
                self._widget.value = self.last_frame_svg
            self._last_cost_s = self._clock() - started_s
            self.draw_time_s += self._last_cost_s

    def frame_svg(self) -> str:
        """Return the live view as it stands, finished buckets only, as SVG markup."""
        heading = plot_text("{title} · {elapsed_s:.1f} s · requests: {requests} · errors: {errors}",
                            title=self.title, elapsed_s=self._elapsed_s,
                            requests=len(self._all_ms), errors=self._errors())
        return panels_svg(_panels(self._series(final=False), self.bucket_s, self._labels), heading)

    def finish(self) -> None:
        """Stop the live frames, and put a static chart of the whole run where they were."""
        with self._lock:
            if self.final_chart is not None:
                return
            self.final_chart = self.chart()
        if self._handle is not None:
            self._handle.update(self.final_chart)
            # Empty the widget before closing it: a saved widget state then holds no stale frame.
            self._widget.value = ""
            self._widget.close()
        elif in_notebook():
            from IPython.display import display

            display(self.final_chart)  # type: ignore[no-untyped-call]

    def chart(self) -> Chart:
        """Return the whole run so far, last partial bucket included, as a static ``Chart``."""
        requests, errors = len(self._all_ms), self._errors()
        p50_ms, p99_ms = p50_p99(self._all_ms)
        rps = requests / self._elapsed_s if self._elapsed_s > 0 else 0.0
        stats = dict(elapsed_s=self._elapsed_s, requests=requests, errors=errors, rps=rps,
                     p50_ms=p50_ms, p99_ms=p99_ms)
        summary = plot_text("{elapsed_s:.1f} s · {rps:.0f} requests/s · p50 {p50_ms:.1f} ms · "
                            "p99 {p99_ms:.1f} ms · errors: {errors}", **stats)
        panels = _panels(self._series(final=True), self.bucket_s, self._labels)
        png = panels_png(panels, f"{self.title}\n{summary}")
        alt = _("Line charts of a load test, latency on the left and throughput on the right: "
                "{elapsed_s:.1f} s, requests: {requests}, {rps:.0f} requests/s, "
                "p50 {p50_ms:.1f} ms, p99 {p99_ms:.1f} ms, errors: {errors}.", **stats)
        return Chart(png=png, alt=alt)

    def _errors(self) -> int:
        return sum(counts[1] for counts in self._counts.values())

    def _bucket(self, elapsed_s: float) -> int:
        # A batch ending at exactly 0.5 s holds requests from before 0.5 s: buckets are
        # (start, end], and 1e-9 forgives float noise such as 15 * 0.1 = 1.5000000000000002.
        return max(math.ceil(elapsed_s / self.bucket_s - 1e-9) - 1, 0)

    def _record(self, elapsed_s: float, latencies_ms: Floats, errors: int) -> None:
        batch_ms = np.asarray(latencies_ms, dtype=np.float64)
        index = self._bucket(elapsed_s)
        counts = self._counts.setdefault(index, [0, 0])
        counts[0] += batch_ms.size
        counts[1] += errors
        self._all_ms.frombytes(batch_ms.tobytes())  # no Python float per request
        if index not in self._summary:  # a straggler for a closed bucket only adds to its counts
            self._raw.setdefault(index, []).extend(batch_ms.tolist())
        self._elapsed_s = max(self._elapsed_s, elapsed_s)
        # One bucket stays open for late batches; older ones keep only their percentiles.
        for old in [i for i in self._raw if i < index - 1]:
            self._summary[old] = p50_p99(self._raw.pop(old))

    def _frame_due(self) -> bool:
        # Slow frames space frames out (at most a fifth of the time goes to them), within
        # [min_interval_s, 0.5 s]; the 1e-9 forgives float noise in clock readings.
        ceiling_s = max(self.min_interval_s, _MAX_INTERVAL_S)
        interval_s = min(max(self.min_interval_s, 5 * self._last_cost_s), ceiling_s)
        return self._clock() - self._last_frame_s >= interval_s - 1e-9

    def _series(self, final: bool) -> Series:
        current = self._bucket(self._elapsed_s)
        covered_s = self._elapsed_s - current * self.bucket_s
        # The current bucket is still filling: show it only at the end, and only if it is
        # at least half full (or the only one), lest a sliver of time give a wild rate.
        last = current if final and (covered_s >= self.bucket_s / 2 or current == 0) else current - 1
        rows = []
        for i in range(last + 1):
            width_s = covered_s if i == current else self.bucket_s
            if width_s <= 0:
                continue
            requests, errors = self._counts.get(i, (0, 0))
            p50, p99 = self._summary.get(i) or p50_p99(self._raw.get(i, []))
            rows.append((i * self.bucket_s + width_s / 2, p50, p99, requests / width_s, errors / width_s))
        table = np.array(rows, dtype=float).reshape(-1, 5)
        if not final and self.window_s is not None:
            table = table[table[:, 0] >= self._elapsed_s - self.window_s]
        return dict(zip(("t", "p50", "p99", "rps", "eps"), table.T, strict=True))

    def _show_widget(self) -> None:
        import ipywidgets  # type: ignore[import-untyped]
        from IPython.display import display

        self._widget = ipywidgets.HTML()
        # The display id lets finish() put the static chart exactly where the live frames were.
        self._handle = display(self._widget, display_id=True)  # type: ignore[no-untyped-call]
