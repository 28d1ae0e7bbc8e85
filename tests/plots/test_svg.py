"""Tests for perflab.plots.svg: line panels as well-formed SVG, with gaps for missing values."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest

from perflab.plots.svg import Line, Panel, nice_ticks, panels_svg

SVG = "{http://www.w3.org/2000/svg}"
NUMBER = re.compile(r"-?\d+(\.\d+)?$")


def two_panels(t: list[float], p50: list[float], rps: list[float]) -> list[Panel]:
    """A latency panel and a throughput panel over the same times, as the live plot draws them."""
    x = np.asarray(t, dtype=float)
    x_range = (0.0, max(t, default=0.0) + 0.5)
    latency = (Line("p50", "#1f77b4", np.asarray(p50, dtype=float)),)
    throughput = (Line("requests/s", "#2ca02c", np.asarray(rps, dtype=float)),)
    return [Panel("Latency (ms)", "time (s)", x, x_range, latency),
            Panel("Throughput (requests/s)", "time (s)", x, x_range, throughput)]


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # raises on markup that is not well-formed XML
    assert root.tag == f"{SVG}svg"
    return root


def texts(root: ET.Element) -> list[str]:
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def points_of(root: ET.Element, label: str) -> list[tuple[float, float]]:
    """Every point the line labelled ``label`` draws: polyline vertices and lone dots."""
    group = next(g for g in root.iter(f"{SVG}g") if g.get("data-label") == label)
    points = [(float(c.get("cx", "")), float(c.get("cy", ""))) for c in group.iter(f"{SVG}circle")]
    for polyline in group.iter(f"{SVG}polyline"):
        pairs = polyline.get("points", "").split()
        points += [(float(x), float(y)) for x, y in (pair.split(",") for pair in pairs)]
    return points


def test_panels_are_well_formed_svg_with_titles_axes_and_a_legend() -> None:
    root = parse(panels_svg(two_panels([0.25, 0.75, 1.25], [3.0, 4.0, 5.0], [10.0, 12.0, 11.0]), "Load test"))
    labels = texts(root)
    assert labels[0] == "Load test"
    for expected in ("Latency (ms)", "Throughput (requests/s)", "time (s)"):
        assert expected in labels
    assert any("p50" in label and "requests/s" in label for label in labels)  # the legend row
    numbers = [float(label) for label in labels if NUMBER.match(label)]
    assert 0.0 in numbers and max(numbers) >= 12.0  # tick labels reach past the highest value


def test_each_line_has_one_point_per_value() -> None:
    t = [0.25 + 0.5 * i for i in range(120)]  # a 60 s run in 0.5 s buckets
    root = parse(panels_svg(two_panels(t, [50.0 + i % 7 for i in range(120)], [300.0] * 120), "x"))
    assert len(points_of(root, "p50")) == 120
    assert len(points_of(root, "requests/s")) == 120


def test_missing_values_leave_gaps_and_never_print_nan() -> None:
    nan = float("nan")
    svg = panels_svg(two_panels([0.25, 0.75, 1.25, 1.75, 2.25], [1.0, 2.0, nan, 4.0, nan], [nan] * 5), "gaps")
    root = parse(svg)
    assert "nan" not in svg.lower()  # no label here holds "nan", so any would be a coordinate
    group = next(g for g in root.iter(f"{SVG}g") if g.get("data-label") == "p50")
    assert len(list(group.iter(f"{SVG}polyline"))) == 1  # 1.0 and 2.0 joined
    assert len(list(group.iter(f"{SVG}circle"))) == 1  # 4.0 alone, a dot
    assert len(points_of(root, "p50")) == 3
    assert points_of(root, "requests/s") == []


def test_empty_and_single_point_series_draw_without_error() -> None:
    empty = parse(panels_svg(two_panels([], [], []), "nothing yet"))
    assert points_of(empty, "p50") == [] and "Latency (ms)" in texts(empty)
    single = parse(panels_svg(two_panels([0.25], [3.0], [8.0]), "one bucket"))
    assert len(points_of(single, "p50")) == 1 and len(points_of(single, "requests/s")) == 1


def test_points_stay_inside_the_picture() -> None:
    root = parse(panels_svg(two_panels([0.25, 0.75], [0.0, 1500.0], [0.001, 0.002]), "extremes"))
    width, height = float(root.get("width", "")), float(root.get("height", ""))
    for label in ("p50", "requests/s"):
        for x, y in points_of(root, label):
            assert 0 <= x <= width and 0 <= y <= height


def test_text_is_escaped() -> None:
    panels = two_panels([0.25], [1.0], [1.0])
    root = parse(panels_svg(panels, 'a <b> & "c"'))
    assert texts(root)[0] == 'a <b> & "c"'


def test_each_heading_line_gets_its_own_text_and_the_picture_grows() -> None:
    one = parse(panels_svg(two_panels([0.25], [1.0], [1.0]), "title"))
    two = parse(panels_svg(two_panels([0.25], [1.0], [1.0]), "title\nsummary"))
    assert texts(two)[:2] == ["title", "summary"]
    assert float(two.get("height", "")) > float(one.get("height", ""))


def test_bangla_text_passes_through_for_the_browser_to_shape() -> None:
    panels = [Panel("লেটেন্সি (মিলিসেকেন্ড)", "সময় (সেকেন্ড)", np.array([0.25]), (0.0, 0.5),
                    (Line("p50 (মধ্যমা)", "#1f77b4", np.array([2.0])),))]
    labels = texts(parse(panels_svg(panels, "লোড টেস্ট")))
    assert "লেটেন্সি (মিলিসেকেন্ড)" in labels and "সময় (সেকেন্ড)" in labels and labels[0] == "লোড টেস্ট"


@pytest.mark.parametrize(
    ("low", "high"), [(0.0, 1.0), (0.0, 59.75), (12.3, 14.1), (0.0, 0.003), (0.0, 12345.0)]
)
def test_nice_ticks_are_round_and_inside_the_range(low: float, high: float) -> None:
    ticks = nice_ticks(low, high)
    assert 3 <= ticks.size <= 11
    assert low - 1e-9 <= ticks.min() and ticks.max() <= high + 1e-9
    step = float(ticks[1] - ticks[0])
    mantissa = step / 10 ** np.floor(np.log10(step))
    assert any(np.isclose(mantissa, m) for m in (1, 2, 2.5, 5))
