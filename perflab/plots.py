"""Charts for load tests: a live latency plot while a test runs, and static charts after it.

Each chart has its own Agg ``Figure``, never pyplot's, so nothing leaks into a learner's plots.
"""

from __future__ import annotations

import base64
import html
import io
import math
import threading
import time
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from perflab.fonts import plot_text, setup_fonts
from perflab.i18n import _
from perflab.render import in_notebook, table_text

__all__ = ["Chart", "LiveLatencyPlot", "LoadTimeline", "latency_timeline", "ratio_chart"]

_DPI = 100
_MAX_INTERVAL_S = 0.5  # a live plot redraws at least twice a second
_TIME_UNITS = frozenset({"ns", "us", "µs", "ms", "s"})
Series = dict[str, np.ndarray]


@dataclass(frozen=True, repr=False)
class Chart:
    """A finished chart: a PNG with alt text; an image in Jupyter and text everywhere else."""

    png: bytes
    alt: str
    text: str = ""

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        data = base64.b64encode(self.png).decode("ascii")
        tag = f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" style="max-width:100%">'
        return {"image/png": data, "text/html": tag, "text/plain": str(self)}

    def __str__(self) -> str:
        return self.text or self.alt

    __repr__ = __str__

    def save(self, path: str | Path) -> Path:
        """Write the PNG to ``path`` and return that path.

        Args:
            path: Where to write, usually ending in ``.png``.
        """
        Path(path).write_bytes(self.png)
        return Path(path)


class LoadTimeline(Protocol):
    """A finished load test's per-request data, as load results carry it."""

    @property
    def timestamps_s(self) -> Sequence[float]: ...

    @property
    def latencies_ms(self) -> Sequence[float]: ...


def _new_figure(width_in: float, height_in: float) -> Figure:
    setup_fonts()  # before any Text exists: a Text takes its font from rcParams when created
    fig = Figure(figsize=(width_in, height_in), dpi=_DPI)
    _constrain(fig)
    FigureCanvasAgg(fig)
    return fig


def _constrain(fig: Figure) -> None:
    # Constrained layout ignores how far x tick labels stick out sideways; the extra w_pad
    # (inches) leaves room for half of one at the right edge.
    fig.set_layout_engine("constrained", w_pad=0.15)


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # print_png draws once; savefig would draw twice to settle the layout first.
    fig.canvas.print_png(buffer, metadata={"Software": None})  # type: ignore[attr-defined]
    return buffer.getvalue()


def _num(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _percentiles(latencies_ms: Sequence[float] | np.ndarray) -> tuple[float, float]:
    if len(latencies_ms) == 0:
        return math.nan, math.nan
    p50, p99 = np.percentile(np.asarray(latencies_ms, dtype=float), [50, 99])
    return float(p50), float(p99)


def _top(*arrays: np.ndarray) -> float:
    peak = max((float(np.nanmax(a)) for a in arrays if np.isfinite(a).any()), default=0.0)
    return peak * 1.15 if peak > 0 else 1.0


def _line(ax: Axes, color: str, label: str) -> Line2D:
    return ax.plot([], [], color=color, label=label)[0]


class _Panels:
    """Latency and throughput axes side by side, whose lines are updated in place."""

    def __init__(self) -> None:
        self.fig = _new_figure(8.0, 3.7)
        self.lat_ax, self.rps_ax = self.fig.subplots(1, 2)
        self.lines = {"p50": _line(self.lat_ax, "tab:blue", plot_text("p50 (median)")),
                      "p99": _line(self.lat_ax, "tab:orange", plot_text("p99")),
                      "rps": _line(self.rps_ax, "tab:green", plot_text("requests/s")),
                      "eps": _line(self.rps_ax, "tab:red", plot_text("errors/s"))}
        self.lat_ax.set_title(plot_text("Latency (ms)"))
        self.rps_ax.set_title(plot_text("Throughput (requests/s)"))
        for ax in (self.lat_ax, self.rps_ax):
            ax.set_xlabel(plot_text("time (s)"))
            ax.grid(alpha=0.3)
        # One legend below both panels: inside an axes it would hide the data it explains.
        self.fig.legend(handles=list(self.lines.values()), loc="outside lower center", ncols=4,
                        fontsize="small", frameon=False)
        self._layout_key: tuple[int, ...] = ()

    def update(self, series: Series, heading: str, bucket_s: float) -> bytes:
        """Show ``series`` under ``heading`` and return the figure as PNG bytes."""
        t = series["t"]
        for name, line in self.lines.items():
            line.set_data(t, series[name])
        x0 = float(t[0]) - bucket_s / 2 if t.size else 0.0
        x1 = max(float(t[-1]) + bucket_s / 2 if t.size else 0.0, x0 + bucket_s)
        tops = (_top(series["p50"], series["p99"]), _top(series["rps"], series["eps"]))
        for ax, top in zip((self.lat_ax, self.rps_ax), tops, strict=True):
            ax.set_xlim(x0, x1)
            ax.set_ylim(0, top)
        self.fig.suptitle(heading, fontsize="medium")
        # Laying out costs half a frame; redo it only when the tick labels change width.
        key = tuple(max(map(len, ax.yaxis.get_major_formatter().format_ticks(ax.get_yticks())))
                    for ax in (self.lat_ax, self.rps_ax)) + (heading.count("\n"),)
        if key != self._layout_key:
            _constrain(self.fig)
        else:
            self.fig.set_layout_engine("none")
        self._layout_key = key
        return _png(self.fig)


class _FrameWorker:
    """Draws live frames on a thread of its own, so a slow draw never stalls the load generator."""

    def __init__(self, draw: Callable[[Series, str], None]) -> None:
        self._draw = draw
        self._job: tuple[Series, str] | None = None
        self._closed = False
        self._wake = threading.Condition()
        self.idle = threading.Event()  # set while no frame is waiting or being drawn
        self._thread = threading.Thread(target=self._run, name="perflab-live-plot", daemon=True)
        self._thread.start()

    def submit(self, series: Series, heading: str) -> None:
        """Queue a frame, replacing one not yet drawn: only the newest is worth drawing."""
        with self._wake:
            self._job = (series, heading)
            self.idle.clear()
            self._wake.notify()

    def close(self) -> None:
        """Stop after the frame being drawn, if any, and wait for the thread to end."""
        with self._wake:
            self._closed = True
            self._wake.notify()
        self._thread.join()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._job is None and not self._closed:
                    self.idle.set()
                    self._wake.wait()
                if self._closed or self._job is None:
                    return
                job, self._job = self._job, None
            self._draw(*job)


class LiveLatencyPlot:
    """Latency and throughput of a running load test, redrawn in place as batches arrive.

    Batches are summed into ``bucket_s`` time buckets, as d2l's ProgressBoard averages
    its points, so a frame costs the same after one second or ten minutes. ``add`` only
    records and, when a frame is due, hands a snapshot to a drawing thread: frames come
    no sooner than ``min_interval_s`` apart and no later than 0.5 s, spaced out within
    that when drawing is slow so the plot does not disturb the test it measures. In
    Jupyter frames show in an ``ipywidgets.Image``, which ``finish`` replaces with a
    static ``Chart`` that the saved notebook keeps.

    Args:
        title: The heading above both panels. Defaults to "Load test", translated.
        min_interval_s: The least time between two frames. Defaults to 0.25.
        window_s: While running, show only the last ``window_s`` seconds. Defaults
            to the whole run; the final chart always shows the whole run.
        bucket_s: The width of a time bucket. Defaults to 0.5.
        live: Whether to draw frames while running. Defaults to True inside Jupyter.
        clock: Returns the time in seconds. Defaults to ``time.monotonic``.
    """

    def __init__(self, title: str | None = None, min_interval_s: float = 0.25,
                 window_s: float | None = None, *, bucket_s: float = 0.5,
                 live: bool | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        if min_interval_s < 0 or bucket_s <= 0 or (window_s is not None and window_s <= 0):
            raise ValueError(_("min_interval_s must be 0 or more; bucket_s and window_s more than 0."))
        setup_fonts()  # here, in the learner's thread, so a missing-font warning shows in the cell
        self.title = title if title is not None else plot_text("Load test")
        self.min_interval_s, self.window_s, self.bucket_s = min_interval_s, window_s, bucket_s
        self.live = in_notebook() if live is None else live
        self.redraws = 0  # frames scheduled: the rate logic, testable with a fake clock
        self.draw_time_s = 0.0  # measured by ``clock``, so a load test can report the overhead
        self.last_frame_png: bytes | None = None
        self.final_chart: Chart | None = None
        self._clock, self._lock = clock, threading.Lock()
        self._all_ms: array[float] = array("d")
        self._counts: dict[int, list[int]] = {}  # bucket -> [requests, errors]
        self._raw: dict[int, list[float]] = {}  # open buckets' latencies
        self._summary: dict[int, tuple[float, float]] = {}  # closed buckets' p50, p99
        self._elapsed_s, self._last_frame_s, self._last_cost_s = 0.0, -math.inf, 0.0
        self._panels: _Panels | None = None
        self._worker = _FrameWorker(self._draw_frame) if self.live else None
        self._image: Any = None
        self._handle: Any = None
        if self.live and in_notebook():
            self._show_widget()

    def add(self, elapsed_s: float, latencies_ms: Sequence[float], errors: int = 0) -> None:
        """Record one batch of finished requests, and schedule a frame if one is due.

        Args:
            elapsed_s: Seconds from the start of the test to the end of this batch.
            latencies_ms: The latency of each successful request in the batch.
            errors: How many requests in the batch failed. Defaults to 0.
        """
        with self._lock:
            self._record(elapsed_s, latencies_ms, errors)
            if self._worker is None or self.final_chart is not None or not self._frame_due():
                return
            self._last_frame_s = self._clock()
            self.redraws += 1
            heading = plot_text("{title} · {elapsed_s:.1f} s · requests: {requests} · errors: {errors}",
                                title=self.title, elapsed_s=self._elapsed_s,
                                requests=len(self._all_ms), errors=self._errors())
            self._worker.submit(self._series(final=False), heading)

    def finish(self) -> None:
        """Stop the live frames, and put a static chart of the whole run where they were."""
        if self._worker is not None:
            self._worker.close()  # first, so no frame is drawn while the final chart is
        with self._lock:
            if self.final_chart is not None:
                return
            self.final_chart = self.chart()
            self._panels = None  # free the live figure
        if self._handle is not None:
            self._handle.update(self.final_chart)
            # Empty the widget before closing it: a saved widget state then holds no stale frame.
            self._image.value = b""
            self._image.close()
        elif in_notebook():
            from IPython.display import display

            display(self.final_chart)  # type: ignore[no-untyped-call]

    def chart(self) -> Chart:
        """Return the whole run so far, last partial bucket included, as a static ``Chart``."""
        requests, errors = len(self._all_ms), self._errors()
        p50_ms, p99_ms = _percentiles(self._all_ms)
        rps = requests / self._elapsed_s if self._elapsed_s > 0 else 0.0
        stats = dict(elapsed_s=self._elapsed_s, requests=requests, errors=errors, rps=rps,
                     p50_ms=p50_ms, p99_ms=p99_ms)
        summary = plot_text("{elapsed_s:.1f} s · {rps:.0f} requests/s · p50 {p50_ms:.1f} ms · "
                            "p99 {p99_ms:.1f} ms · errors: {errors}", **stats)
        png = _Panels().update(self._series(final=True), f"{self.title}\n{summary}", self.bucket_s)
        alt = _("Line charts of a load test, latency on the left and throughput on the right: "
                "{elapsed_s:.1f} s, {requests} requests, {rps:.0f} requests/s, "
                "p50 {p50_ms:.1f} ms, p99 {p99_ms:.1f} ms, errors: {errors}.", **stats)
        return Chart(png=png, alt=alt)

    def _errors(self) -> int:
        return sum(counts[1] for counts in self._counts.values())

    def _bucket(self, elapsed_s: float) -> int:
        # A batch ending at exactly 0.5 s holds requests from before 0.5 s: buckets are
        # (start, end], and 1e-9 forgives float noise such as 15 * 0.1 = 1.5000000000000002.
        return max(math.ceil(elapsed_s / self.bucket_s - 1e-9) - 1, 0)

    def _record(self, elapsed_s: float, latencies_ms: Sequence[float], errors: int) -> None:
        index = self._bucket(elapsed_s)
        counts = self._counts.setdefault(index, [0, 0])
        counts[0] += len(latencies_ms)
        counts[1] += errors
        self._all_ms.extend(latencies_ms)
        if index not in self._summary:  # a straggler for a closed bucket only adds to its counts
            self._raw.setdefault(index, []).extend(latencies_ms)
        self._elapsed_s = max(self._elapsed_s, elapsed_s)
        # One bucket stays open for late batches; older ones keep only their percentiles.
        for old in [i for i in self._raw if i < index - 1]:
            self._summary[old] = _percentiles(self._raw.pop(old))

    def _frame_due(self) -> bool:
        # Slow drawing spaces frames out (at most a fifth of the time goes to drawing),
        # within [min_interval_s, 0.5 s]; the 1e-9 forgives float noise in clock readings.
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
            p50, p99 = self._summary.get(i) or _percentiles(self._raw.get(i, []))
            rows.append((i * self.bucket_s + width_s / 2, p50, p99, requests / width_s, errors / width_s))
        table = np.array(rows, dtype=float).reshape(-1, 5)
        if not final and self.window_s is not None:
            table = table[table[:, 0] >= self._elapsed_s - self.window_s]
        return dict(zip(("t", "p50", "p99", "rps", "eps"), table.T, strict=True))

    def _draw_frame(self, series: Series, heading: str) -> None:
        # Runs on the worker thread, which alone touches the live figure.
        started_s = self._clock()
        self._panels = self._panels or _Panels()
        self.last_frame_png = self._panels.update(series, heading, self.bucket_s)
        if self._image is not None:
            self._image.value = self.last_frame_png  # widget state may be sent from any thread
        self._last_cost_s = self._clock() - started_s
        self.draw_time_s += self._last_cost_s

    def _show_widget(self) -> None:
        import ipywidgets  # type: ignore[import-untyped]
        from IPython.display import display

        self._image = ipywidgets.Image(format="png")
        # Shown now, from the cell's own thread; the display id lets finish() put the
        # static chart exactly where the live frames were.
        self._handle = display(self._image, display_id=True)  # type: ignore[no-untyped-call]


def _ratio_note(value: float, base: float, higher_is_better: bool) -> str:
    if value <= 0 or base <= 0:
        return ""
    factor = max(value, base) / min(value, base)
    if factor < 1.05:
        return plot_text("≈ same")
    if (value > base) == higher_is_better:
        return plot_text("×{factor:.1f} faster", factor=factor)
    return plot_text("×{factor:.1f} slower", factor=factor)


def _fit_bar_labels(fig: Figure, ax: Axes, values: Sequence[float], texts: Sequence[Any]) -> None:
    # A label sits right of its bar; widen the x range until the longest one fits inside.
    for _attempt in range(3):
        fig.draw_without_rendering()
        width_px = ax.get_window_extent().width
        room_px = [max(width_px - t.get_window_extent().width - 8, 1.0) for t in texts]
        needed = max(v * width_px / room for v, room in zip(values, room_px, strict=True))
        if needed <= ax.get_xlim()[1]:
            return
        ax.set_xlim(0, needed * 1.02)


def ratio_chart(labels: Sequence[str], values: Sequence[float], *, unit: str, baseline: int = 0,
                title: str = "", alt: str = "", higher_is_better: bool | None = None) -> Chart:
    """Return a horizontal bar chart of alternatives, each bar marked with its ratio to a baseline.

    Args:
        labels: A name for each bar, top to bottom.
        values: A value for each bar, zero or more.
        unit: The values' unit, shown after each value, e.g. "ms".
        baseline: The index of the bar the others are compared with. Defaults to 0.
        title: A heading above the chart. Defaults to none.
        alt: Alt text for the image. Defaults to a sentence listing every bar.
        higher_is_better: Whether a bigger value is faster. Defaults to False for
            time units (ms, s, ...) and True for others, such as requests/s.
    """
    if not labels or len(labels) != len(values) or not 0 <= baseline < len(values):
        raise ValueError(_("ratio_chart needs one value for each label, and a baseline index among them."))
    if any(not math.isfinite(v) or v < 0 for v in values):
        raise ValueError(_("ratio_chart compares only finite values that are zero or more."))
    high = unit.strip() not in _TIME_UNITS if higher_is_better is None else higher_is_better
    notes = [plot_text("baseline") if i == baseline else _ratio_note(v, values[baseline], high)
             for i, v in enumerate(values)]
    texts = [f"{_num(v)} {unit}   {note}".rstrip() for v, note in zip(values, notes, strict=True)]
    fig = _new_figure(7.0, 1.0 + 0.45 * len(values) + (0.3 if title else 0.0))
    ax = fig.subplots()
    colors = ["tab:orange" if i == baseline else "tab:blue" for i in range(len(values))]
    bars = ax.barh(range(len(values)), values, color=colors)
    ax.set_yticks(range(len(values)), labels)
    ax.invert_yaxis()  # the first label on top, in the order given
    ax.set(xlim=(0, max(max(values), 1e-9)), title=title)
    # Each bar carries its value, so an x axis would only repeat them (and its last tick
    # label, which constrained layout does not make room for, could be clipped).
    ax.xaxis.set_visible(False)
    ax.spines[["top", "right", "bottom"]].set_visible(False)
    _fit_bar_labels(fig, ax, values, ax.bar_label(bars, texts, padding=4))
    listed = "; ".join(f"{label}: {text}" for label, text in zip(labels, texts, strict=True))
    alt = alt or (_("Bar chart “{title}”: {bars}.", title=title, bars=listed) if title
                  else _("Bar chart: {bars}.", bars=listed))
    rows = [(label, f"{_num(v)} {unit}", note) for label, v, note in zip(labels, values, notes, strict=True)]
    return Chart(png=_png(fig), alt=alt, text=table_text(["", unit, ""], rows, title))


def latency_timeline(result: LoadTimeline, *, title: str = "", alt: str = "",
                     bucket_s: float | None = None) -> Chart:
    """Return a chart of each request's latency over a finished load test, with p50 and p99 lines.

    Args:
        result: A load result with ``timestamps_s`` and ``latencies_ms``, one per request.
        title: A heading above the chart. Defaults to "Latency of each request", translated.
        alt: Alt text for the image. Defaults to a sentence with the run's numbers.
        bucket_s: The time bucket for the p50 and p99 lines. Defaults to 1/40 of the run.
    """
    t_s = np.asarray(result.timestamps_s, dtype=float)
    lat_ms = np.asarray(result.latencies_ms, dtype=float)
    if t_s.size == 0 or t_s.shape != lat_ms.shape:
        raise ValueError(_("latency_timeline needs one timestamp for each latency, and at least one."))
    t_s = t_s - t_s.min()  # timestamps may be raw clock readings; the chart starts at 0
    duration_s = float(t_s.max())
    width_s = bucket_s or max(duration_s / 40, 0.05)
    count = max(math.ceil(duration_s / width_s), 1)
    index = np.minimum((t_s // width_s).astype(int), count - 1)  # the last request ends the last bucket
    # A percentile of a handful of requests is noise, so such buckets leave a gap.
    buckets = [lat_ms[index == i] for i in range(count)]
    p50s, p99s = np.array([_percentiles(b if b.size >= 5 else []) for b in buckets]).T
    fig = _new_figure(8.0, 3.6)
    ax = fig.subplots()
    dots = np.random.default_rng(0).permutation(t_s.size)[:20_000]  # dots are costly; lines use all
    ax.plot(t_s[dots], lat_ms[dots], linestyle="none", marker=".", markersize=2, alpha=0.35,
            color="tab:gray", label=plot_text("one request"))
    mids_s = (np.arange(p50s.size) + 0.5) * width_s
    ax.plot(mids_s, p50s, color="tab:blue", label=plot_text("p50 (median)"))
    ax.plot(mids_s, p99s, color="tab:orange", label=plot_text("p99"))
    ax.set(xlabel=plot_text("time (s)"), ylabel=plot_text("latency (ms)"), ylim=(0, None),
           title=title or plot_text("Latency of each request"))
    ax.grid(alpha=0.3)
    fig.legend(loc="outside lower center", ncols=3, fontsize="small", frameon=False, markerscale=4)
    p50_ms, p99_ms = _percentiles(lat_ms)
    alt = alt or _("Latency of each request over a {duration_s:.1f} s load test: {requests} requests, "
                   "p50 {p50_ms:.1f} ms, p99 {p99_ms:.1f} ms, slowest {max_ms:.1f} ms.",
                   duration_s=duration_s, requests=int(lat_ms.size), p50_ms=p50_ms,
                   p99_ms=p99_ms, max_ms=float(lat_ms.max()))
    return Chart(png=_png(fig), alt=alt)
