"""Static charts drawn with matplotlib: finished load tests, ratio bars and latency timelines.

Each chart has its own Agg ``Figure``, never pyplot's, so nothing leaks into a learner's plots.
"""

from __future__ import annotations

import base64
import html
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import ScalarFormatter

from perflab.plots.fonts import plot_text, setup_fonts
from perflab.i18n import _, localized, number
from perflab.render import table_text
from perflab.plots.svg import Panel

__all__ = ["Chart", "Floats", "LoadTimeline", "latency_timeline", "growth_chart", "p50_p99", "panels_png", "ratio_chart"]

_DPI = 100
_TIME_UNITS = frozenset({"ns", "us", "µs", "ms", "s"})
Floats = Sequence[float] | np.ndarray  # load results carry numpy arrays


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
    def timestamps_s(self) -> Floats: ...

    @property
    def latencies_ms(self) -> Floats: ...


def p50_p99(latencies_ms: Floats) -> tuple[float, float]:
    """Return the median and 99th percentile of ``latencies_ms``, or two NaNs when it is empty.

    Args:
        latencies_ms: Request latencies in milliseconds.
    """
    if len(latencies_ms) == 0:
        return math.nan, math.nan
    p50, p99 = np.percentile(np.asarray(latencies_ms, dtype=float), [50, 99])
    return float(p50), float(p99)


def _new_figure(width_in: float, height_in: float) -> Figure:
    setup_fonts()  # before any Text exists: a Text takes its font from rcParams when created
    fig = Figure(figsize=(width_in, height_in), dpi=_DPI)
    # Constrained layout ignores how far x tick labels stick out sideways; the extra w_pad
    # (inches) leaves room for half of one at the right edge.
    fig.set_layout_engine("constrained", w_pad=0.15)
    FigureCanvasAgg(fig)
    return fig


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    # print_png draws once; savefig would draw twice to settle the layout first.
    fig.canvas.print_png(buffer, metadata={"Software": None})  # type: ignore[attr-defined]
    return buffer.getvalue()


def _num(value: float) -> str:
    return number(value, ".0f" if value >= 100 else ".1f" if value >= 10 else ".2f")


class _LocalTicks(ScalarFormatter):
    """Matplotlib's usual tick labels, with the language's decimal mark («0,5» in Russian)."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return localized(super().__call__(x, pos))


def _local_ticks(*axes: Axes) -> None:
    for ax in axes:
        ax.xaxis.set_major_formatter(_LocalTicks())
        ax.yaxis.set_major_formatter(_LocalTicks())


def _top(*arrays: np.ndarray) -> float:
    peak = max((float(np.nanmax(a)) for a in arrays if np.isfinite(a).any()), default=0.0)
    return peak * 1.15 if peak > 0 else 1.0


def panels_png(panels: Sequence[Panel], heading: str) -> bytes:
    """Return line panels side by side under ``heading``, with one legend below them all, as PNG.

    Args:
        panels: The panels, left to right; each y axis starts at 0.
        heading: The text above the panels; it may hold several lines.
    """
    fig = _new_figure(8.0, 3.7)
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    _local_ticks(*axes)
    handles = []
    for ax, panel in zip(axes, panels, strict=True):
        for line in panel.lines:
            handles += ax.plot(panel.x, line.y, color=line.color, label=line.label)
        ax.set_title(panel.title)
        ax.set_xlabel(panel.x_label)
        ax.grid(alpha=0.3)
        ax.set_xlim(*panel.x_range)
        ax.set_ylim(0, _top(*(line.y for line in panel.lines)))
    # One legend below all panels: inside an axes it would hide the data it explains.
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles),
               fontsize="small", frameon=False)
    fig.suptitle(heading, fontsize="medium")
    return _png(fig)


def _ratio_note(value: float, base: float, higher_is_better: bool) -> str:
    if value <= 0 or base <= 0:
        return ""
    factor = max(value, base) / min(value, base)
    if factor < 1.05:
        return plot_text("≈ same")
    shown = number(factor, ".0f" if factor >= 10 else ".1f")  # "×262", not "×262.0"; «×2,5» in Russian
    if (value > base) == higher_is_better:
        return plot_text("×{factor} faster", factor=shown)
    return plot_text("×{factor} slower", factor=shown)


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
    _local_ticks(ax)
    colors = ["tab:orange" if i == baseline else "tab:blue" for i in range(len(values))]
    # An edge of its own colour keeps a bar hundreds of times shorter than the longest visible.
    bars = ax.barh(range(len(values)), values, color=colors, edgecolor=colors, linewidth=2)
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


def _bucket_p50_p99(t_s: np.ndarray, lat_ms: np.ndarray, width_s: float) -> tuple[np.ndarray, np.ndarray]:
    count = max(math.ceil(float(t_s.max()) / width_s), 1)
    index = np.minimum((t_s // width_s).astype(int), count - 1)  # the last request ends the last bucket
    # A percentile of a handful of requests is noise, so such buckets leave a gap.
    buckets = [lat_ms[index == i] for i in range(count)]
    p50s, p99s = np.array([p50_p99(b if b.size >= 5 else []) for b in buckets]).T
    return p50s, p99s


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
    p50s, p99s = _bucket_p50_p99(t_s, lat_ms, width_s)
    fig = _new_figure(8.0, 3.6)
    ax = fig.subplots()
    _local_ticks(ax)
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
    p50_ms, p99_ms = p50_p99(lat_ms)
    alt = alt or _("Latency of each request over a {duration_s:.1f} s load test: requests: {requests}, "
                   "p50 {p50_ms:.1f} ms, p99 {p99_ms:.1f} ms, slowest {max_ms:.1f} ms.",
                   duration_s=duration_s, requests=int(lat_ms.size), p50_ms=p50_ms,
                   p99_ms=p99_ms, max_ms=float(lat_ms.max()))
    return Chart(png=_png(fig), alt=alt)


def growth_chart(sizes: Sequence[float], series: dict[str, Sequence[float]], *, size_label: str, unit: str,
                 title: str = "", alt: str = "", log_sizes: bool = False) -> Chart:
    """Return a line chart of how each alternative's cost grows with a size: rows, page size, page depth.

    Args:
        sizes: The sizes measured, left to right.
        series: Each alternative's name, mapped to its value at each size.
        size_label: What the sizes count, shown under the x axis, e.g. "rows".
        unit: The values' unit, shown beside the y axis, e.g. "ms".
        title: A heading above the chart. Defaults to none.
        alt: Alt text for the image. Defaults to a sentence listing every value.
        log_sizes: Whether the size axis is logarithmic, for sizes that grow tenfold. Defaults to False.
    """
    if not sizes or any(len(values) != len(sizes) for values in series.values()):
        raise ValueError(_("growth_chart needs one value for each size, in every series."))
    fig = _new_figure(7.0, 3.6 + (0.3 if title else 0.0))
    ax = fig.subplots()
    for name, values in series.items():
        ax.plot(sizes, values, marker="o", label=name)
    if log_sizes:
        ax.set_xscale("log")
    ax.set_ylim(0, _top(*(np.asarray(v, dtype=float) for v in series.values())))
    _local_ticks(ax)
    ax.set_xticks(sizes, [_size(size) for size in sizes], minor=False)  # a tick at each size measured, no other
    ax.set_xticks([], minor=True)
    ax.set(xlabel=size_label, ylabel=unit, title=title)
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False)
    rows = [(name, *(f"{_num(v)} {unit}" for v in values)) for name, values in series.items()]
    listed = "; ".join(f"{row[0]}: {', '.join(row[1:])}" for row in rows)
    alt = alt or _("Line chart “{title}”, by {size_label} {sizes}: {lines}.", title=title, size_label=size_label,
                   sizes=", ".join(_size(s) for s in sizes), lines=listed)
    return Chart(png=_png(fig), alt=alt, text=table_text([size_label, *(_size(s) for s in sizes)], rows, title))


def _size(value: float) -> str:
    return number(int(value), ",") if float(value).is_integer() else _num(value)
