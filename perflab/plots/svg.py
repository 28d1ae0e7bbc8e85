"""Line panels as SVG markup, built straight from numpy arrays for the browser to draw.

A live frame must cost the kernel next to nothing, because the server it measures
often runs in the same process. Writing a few hundred coordinates into a string
takes about a millisecond, where a matplotlib frame takes a hundred; and the
browser lays out and shapes the text, Bangla included, so no font is needed here.

Usage:
    panel = Panel("Latency (ms)", "time (s)", t, (0.0, 10.0), (Line("p99", "#ff7f0e", p99),))
    widget.value = panels_svg([panel], "Load test")
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import TypeVar

import numpy as np

from perflab.i18n import localized

__all__ = ["Line", "Panel", "nice_ticks", "panels_svg"]

_WIDTH_PX, _HEIGHT_PX = 800, 370  # the static chart's size, so frames and chart line up
_HEADING_LINE_PX = 18
_TICK_CHAR_PX = 7.0  # a generous width for one digit at the tick labels' 11 px
_TEXT = 'fill="#222"'
_V = TypeVar("_V", float, np.ndarray)  # a coordinate, or an array of them


@dataclass(frozen=True)
class Line:
    """One line of a panel: its legend label, a CSS colour, and a y value for each x.

    Args:
        label: The legend text.
        color: A CSS colour such as ``"#1f77b4"``; matplotlib takes the same string.
        y: One value for each of the panel's ``x``; NaN leaves a gap.
    """

    label: str
    color: str
    y: np.ndarray


@dataclass(frozen=True)
class Panel:
    """One chart of lines over a shared x axis; the y axis starts at 0.

    Args:
        title: The text above the panel.
        x_label: The text below the x axis.
        x: The x values the lines share.
        x_range: The first and last x shown.
        lines: The lines, drawn in order.
    """

    title: str
    x_label: str
    x: np.ndarray
    x_range: tuple[float, float]
    lines: tuple[Line, ...]


def nice_ticks(low: float, high: float, count: int = 5) -> np.ndarray:
    """Return about ``count`` round numbers (1, 2, 2.5 or 5 times a power of ten apart) in [low, high].

    Args:
        low: The smallest value the ticks may take.
        high: The largest value the ticks may take.
        count: About how many intervals to cut the range into. Defaults to 5.
    """
    step = _nice_step((high - low) / max(count, 1))
    first = math.ceil(low / step - 1e-9) * step
    return np.arange(first, high + step * 1e-6, step)


def _nice_step(raw: float) -> float:
    if not math.isfinite(raw) or raw <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw * (1 - 1e-9))


def _tick_label(value: float, step: float) -> str:
    # As many decimals as the step needs, so 0, 2.5, 5 and 0.25, 0.5 all read cleanly.
    decimals = next((d for d in range(7) if abs(round(step, d) - step) <= step * 1e-6), 6)
    text = f"{value:.{decimals}f}"
    return "0" if float(text) == 0 else localized(text)


def _y_ticks(lines: Sequence[Line]) -> np.ndarray:
    finite = [float(np.nanmax(line.y)) for line in lines if np.isfinite(line.y).any()]
    peak = max(finite, default=0.0)
    if peak <= 0:  # nothing to show yet: 0 to 1, as matplotlib shows an empty axes
        return np.linspace(0.0, 1.0, 6)
    step = _nice_step(peak * 1.05 / 5)
    top = math.ceil(peak * 1.05 / step - 1e-9) * step  # a gridline crowns the panel
    return np.arange(0.0, top + step * 1e-6, step)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    # Start and end of each stretch of True: a line is broken where a value is missing.
    edges = np.flatnonzero(np.diff(np.concatenate(([0], mask.astype(np.int8), [0]))))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist(), strict=True))


def _line_svg(line: Line, x_px: np.ndarray, y_px: np.ndarray) -> str:
    parts = []
    for start, end in _runs(np.isfinite(x_px) & np.isfinite(y_px)):
        if end - start == 1:  # a lone value has no neighbour to join: show it as a dot
            parts.append(f'<circle cx="{x_px[start]:.1f}" cy="{y_px[start]:.1f}" r="2" '
                         f'fill="{escape(line.color)}"/>')
        else:
            # One % over all the numbers formats them about twice as fast as a join per point.
            xy = np.column_stack((x_px[start:end], y_px[start:end])).ravel().tolist()
            parts.append(f'<polyline points="{("%.1f,%.1f " * (end - start) % tuple(xy))[:-1]}"/>')
    return (f'<g stroke="{escape(line.color)}" fill="none" stroke-width="1.75" '
            f'stroke-linejoin="round" data-label="{escape(line.label)}">{"".join(parts)}</g>')


@dataclass(frozen=True)
class _Box:
    """Where a panel's plot area sits, and how its data maps onto it."""

    left: float
    top: float
    width: float
    height: float
    x0: float
    x_scale: float
    y_scale: float

    def x(self, value: _V) -> _V:
        return self.left + (value - self.x0) * self.x_scale

    def y(self, value: _V) -> _V:
        return self.top + self.height - value * self.y_scale


def _axes_svg(box: _Box, x_ticks: np.ndarray, x_step: float, y_ticks: np.ndarray, y_step: float) -> str:
    bottom = box.top + box.height
    grid = "".join(f"M{box.left:.1f} {box.y(v):.1f}h{box.width:.1f}" for v in y_ticks)
    grid += "".join(f"M{box.x(v):.1f} {box.top:.1f}v{box.height:.1f}" for v in x_ticks)
    out = [f'<path d="{grid}" stroke="#000" stroke-opacity="0.12" fill="none"/>',
           f'<rect x="{box.left:.1f}" y="{box.top:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
           f'fill="none" stroke="#444"/>']
    out += [f'<text x="{box.left - 5:.1f}" y="{box.y(v):.1f}" dy="0.35em" text-anchor="end" '
            f'font-size="11" {_TEXT}>{_tick_label(v, y_step)}</text>' for v in y_ticks]
    out += [f'<text x="{box.x(v):.1f}" y="{bottom + 15:.1f}" text-anchor="middle" '
            f'font-size="11" {_TEXT}>{_tick_label(v, x_step)}</text>' for v in x_ticks]
    return "".join(out)


def _panel_svg(panel: Panel, left_px: float, top_px: float, width_px: float, height_px: float) -> str:
    y_ticks = _y_ticks(panel.lines)
    y_step = float(y_ticks[1] - y_ticks[0])
    x0, x1 = panel.x_range
    if not (math.isfinite(x0) and math.isfinite(x1) and x1 > x0):
        x0, x1 = 0.0, 1.0
    x_ticks, x_step = nice_ticks(x0, x1, 6), _nice_step((x1 - x0) / 6)
    # Room on the left for the widest y tick label; the browser right-aligns them there.
    plot_left = left_px + 10 + _TICK_CHAR_PX * max(len(_tick_label(v, y_step)) for v in y_ticks)
    plot_w = left_px + width_px - 16 - plot_left
    box = _Box(plot_left, top_px, plot_w, height_px, x0, plot_w / (x1 - x0), height_px / float(y_ticks[-1]))
    centre_px = plot_left + plot_w / 2
    out = [_axes_svg(box, x_ticks, x_step, y_ticks, y_step),
           f'<text x="{centre_px:.1f}" y="{top_px - 8:.1f}" text-anchor="middle" font-size="13" '
           f'{_TEXT}>{escape(panel.title)}</text>',
           f'<text x="{centre_px:.1f}" y="{top_px + height_px + 32:.1f}" text-anchor="middle" '
           f'{_TEXT}>{escape(panel.x_label)}</text>']
    x_px = box.x(np.asarray(panel.x, dtype=float))
    out += [_line_svg(line, x_px, box.y(np.asarray(line.y, dtype=float))) for line in panel.lines]
    return "".join(out)


def _legend_svg(lines: Sequence[Line], y_px: float) -> str:
    # One text run, so the browser measures the labels and centres the whole row itself.
    items = "".join(f'<tspan dx="{18 if i else 0}" fill="{escape(line.color)}" font-weight="bold">━━</tspan>'
                    f'<tspan dx="5" {_TEXT}>{escape(line.label)}</tspan>'
                    for i, line in enumerate(lines))
    return f'<text x="{_WIDTH_PX / 2:.0f}" y="{y_px:.1f}" text-anchor="middle">{items}</text>'


def panels_svg(panels: Sequence[Panel], heading: str) -> str:
    """Return panels side by side under ``heading``, with one legend below them all, as SVG markup.

    Args:
        panels: The panels, left to right; each y axis starts at 0.
        heading: The text above the panels; each of its lines is centred.
    """
    heading_lines = heading.split("\n")
    extra_px = _HEADING_LINE_PX * (len(heading_lines) - 1)
    height_px = _HEIGHT_PX + extra_px
    top_px, plot_h = 54 + extra_px, _HEIGHT_PX - 54 - 72
    width_px = _WIDTH_PX / max(len(panels), 1)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH_PX} {height_px}" '
           f'width="{_WIDTH_PX}" height="{height_px}" style="max-width:100%;height:auto" '
           f'font-family="sans-serif" font-size="12" role="img" aria-label="{escape(heading)}">',
           f'<rect width="{_WIDTH_PX}" height="{height_px}" fill="#fff"/>']
    out += [f'<text x="{_WIDTH_PX / 2:.0f}" y="{20 + _HEADING_LINE_PX * i}" text-anchor="middle" '
            f'font-size="14" {_TEXT}>{escape(text)}</text>' for i, text in enumerate(heading_lines)]
    out += [_panel_svg(panel, i * width_px, top_px, width_px, plot_h) for i, panel in enumerate(panels)]
    out.append(_legend_svg([line for panel in panels for line in panel.lines], height_px - 12))
    out.append("</svg>")
    return "".join(out)
