"""Tests for perflab.plots.charts: static matplotlib charts, their alt text, and their labels' fonts."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import polib
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from perflab import i18n
from perflab.plots import charts, fonts
from perflab.plots.charts import Chart, growth_chart, latency_timeline, p50_p99, panels_png, ratio_chart
from perflab.i18n import use_language
from perflab.plots.svg import Line, Panel
from font_kit import needs_bengali_font

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BENGALI_LABELS = {"baseline": "ভিত্তি", "×{factor} faster": "×{factor} দ্রুত"}


@dataclass(frozen=True)
class FakeResult:
    timestamps_s: np.ndarray | list[float]
    latencies_ms: np.ndarray | list[float]


@pytest.fixture(autouse=True)
def clean_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Give each test English, fresh font state and its own rcParams."""
    monkeypatch.setitem(i18n._state, "lang", "en")
    for key in ("warned", "saved", "applied"):
        monkeypatch.setitem(fonts._state, key, None if key != "warned" else False)
    with matplotlib.rc_context():
        yield


@pytest.fixture
def bn_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch to Bangla with a small catalog of chart labels."""
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for msgid, msgstr in BENGALI_LABELS.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    folder = tmp_path / "bn" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save(str(folder / "perflab.po"))
    monkeypatch.setenv("PERFLAB_LOCALES", str(tmp_path))
    use_language("bn")


@pytest.fixture
def figures(monkeypatch: pytest.MonkeyPatch) -> list[Figure]:
    """Collect every figure the charts render, to inspect their text."""
    rendered: list[Figure] = []
    real_png = charts._png

    def keep(fig: Figure) -> bytes:
        rendered.append(fig)
        return real_png(fig)

    monkeypatch.setattr(charts, "_png", keep)
    return rendered


def texts_of(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


def assert_texts_inside(fig: Figure) -> None:
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for text in fig.findobj(Text):
        if text.get_text() and text.get_visible():
            extent = text.get_window_extent(renderer)
            assert fig.bbox.x0 - 1 <= extent.x0 and extent.x1 <= fig.bbox.x1 + 1, text.get_text()
            assert fig.bbox.y0 - 1 <= extent.y0 and extent.y1 <= fig.bbox.y1 + 1, text.get_text()


def test_ratio_chart_marks_each_bar_with_its_ratio_to_the_baseline() -> None:
    chart = ratio_chart(["sync def", "async def", "blocking"], [120.0, 40.0, 252.0], unit="ms")
    lines = str(chart).splitlines()
    assert "baseline" in lines[2] and "120 ms" in lines[2]
    assert "×3.0 faster" in lines[3]
    assert "×2.1 slower" in lines[4]
    assert "async def: 40.0 ms" in chart.alt and "×3.0 faster" in chart.alt
    assert chart.png.startswith(PNG_SIGNATURE)


def test_ratio_chart_knows_more_requests_per_second_is_faster() -> None:
    chart = ratio_chart(["one worker", "four workers"], [1000.0, 3000.0], unit="requests/s")
    assert "×3.0 faster" in str(chart)
    chart = ratio_chart(["a", "b"], [100.0, 50.0], unit="ms", baseline=1)
    assert "×2.0 slower" in str(chart)


def test_ratio_chart_rejects_values_it_cannot_compare() -> None:
    with pytest.raises(ValueError):
        ratio_chart(["a", "b"], [1.0], unit="ms")
    with pytest.raises(ValueError):
        ratio_chart(["a"], [1.0], unit="ms", baseline=1)
    with pytest.raises(ValueError):
        ratio_chart(["a", "b"], [1.0, -2.0], unit="ms")


def test_ratio_chart_labels_stay_inside_the_picture(figures: list[Figure]) -> None:
    ratio_chart(["a", "b"], [1.0, 1000.0], unit="requests/s", title="A very long title for two bars")
    ratio_chart(["a long label for a bar", "b"], [7.5, 0.1], unit="ms")
    for fig in figures:
        assert_texts_inside(fig)


def test_latency_timeline_starts_at_zero_and_describes_the_run(figures: list[Figure]) -> None:
    rng = np.random.default_rng(0)
    result = FakeResult(np.sort(1000.0 + rng.uniform(0, 5, 500)), rng.gamma(2.0, 3.0, 500))
    chart = latency_timeline(result)
    assert "requests: 500" in chart.alt and chart.png.startswith(PNG_SIGNATURE)
    assert figures[0].axes[0].get_xlim()[0] < 1.0
    with pytest.raises(ValueError):
        latency_timeline(FakeResult([1.0, 2.0], [1.0]))


def test_panels_png_draws_each_panel_with_one_shared_legend(figures: list[Figure]) -> None:
    t = np.array([0.25, 0.75, 1.25])
    panels = [Panel("Left", "time (s)", t, (0.0, 1.5), (Line("a", "#1f77b4", np.array([1.0, np.nan, 3.0])),)),
              Panel("Right", "time (s)", t, (0.0, 1.5), (Line("b", "#2ca02c", np.array([5.0, 6.0, 7.0])),
                                                        Line("c", "#d62728", np.zeros(3))))]
    assert panels_png(panels, "Heading\nsecond line").startswith(PNG_SIGNATURE)
    fig = figures[0]
    assert [ax.get_title() for ax in fig.axes] == ["Left", "Right"]
    assert [ax.get_xlim() for ax in fig.axes] == [(0.0, 1.5), (0.0, 1.5)]
    assert fig.axes[1].get_ylim()[1] > 7.0
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["a", "b", "c"]
    assert "Heading\nsecond line" in texts_of(fig)
    assert_texts_inside(fig)


def test_p50_p99_of_nothing_is_nan() -> None:
    assert all(np.isnan(v) for v in p50_p99([]))
    assert p50_p99(np.arange(1.0, 101.0)) == pytest.approx((50.5, 99.01))


def test_chart_renders_as_text_outside_jupyter() -> None:
    chart = Chart(png=PNG_SIGNATURE, alt="two bars", text="a  1 ms")
    assert repr(chart) == str(chart) == "a  1 ms"
    assert Chart(png=PNG_SIGNATURE, alt="two bars")._repr_mimebundle_()["text/plain"] == "two bars"


@needs_bengali_font
@pytest.mark.usefixtures("bn_catalog")
def test_bangla_labels_render_without_missing_glyphs(figures: list[Figure]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns for each glyph a font lacks
        ratio_chart(["sync def", "async def"], [90.0, 30.0], unit="ms")
    labels = "".join(text for fig in figures for text in texts_of(fig))
    assert "ভিত্তি" in labels and "×3.0 দ্রুত" in labels


@pytest.mark.usefixtures("bn_catalog")
def test_without_a_bengali_font_charts_are_labelled_in_english(
    monkeypatch: pytest.MonkeyPatch, figures: list[Figure]
) -> None:
    monkeypatch.setattr(fonts, "find_bengali_font", lambda: None)
    with pytest.warns(fonts.MissingFontWarning):
        ratio_chart(["sync def", "async def"], [90.0, 30.0], unit="ms")
    labels = "".join(text for fig in figures for text in texts_of(fig))
    assert "baseline" in labels and "×3.0 faster" in labels
    assert not any("\u0980" <= ch <= "\u09ff" for ch in labels)


def test_charts_leave_pyplot_unimported() -> None:
    code = (
        "import sys\n"
        "from perflab.plots.charts import ratio_chart\n"
        "ratio_chart(['a', 'b'], [1.0, 2.0], unit='ms')\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_big_ratios_are_whole_and_a_tiny_bar_stays_visible() -> None:
    chart = ratio_chart(["slow", "fast"], [262.0, 1.0], unit="ms")
    assert "×262 faster" in chart.alt and "×262.0" not in chart.alt
    assert "×1.5 faster" in ratio_chart(["a", "b"], [3.0, 2.0], unit="ms").alt


def test_russian_charts_write_decimal_commas_in_ratios_bar_labels_and_ticks() -> None:
    from perflab.plots.svg import _tick_label

    use_language("ru")
    assert "2,5" in charts._ratio_note(2.5, 1.0, higher_is_better=True)
    assert charts._num(3.25) == "3,25" and _tick_label(0.5, 0.25) == "0,50"
    fig = Figure()
    ax = fig.subplots()
    charts._local_ticks(ax)
    ax.plot([0, 0.5, 1.5], [0, 0.25, 0.75])
    fig.draw_without_rendering()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert "0,4" in labels and not any("." in label for label in labels), labels
    use_language("en")
    assert charts._num(3.25) == "3.25" and "2.5" in charts._ratio_note(2.5, 1.0, higher_is_better=True)


def test_growth_chart_lists_every_value_by_size(figures: list[Figure]) -> None:
    chart = growth_chart([10, 2000], {"SCAN": [1.5, 120.0], "SEARCH": [0.5, 0.6]}, size_label="COUNT(*)", unit="ms",
                         title="lookup", log_sizes=True)
    lines = str(chart).splitlines()
    assert lines[1].split() == ["COUNT(*)", "10", "2,000"]
    assert lines[3].split() == ["SCAN", "1.50", "ms", "120", "ms"]
    assert "SEARCH: 0.50 ms, 0.60 ms" in chart.alt and chart.png.startswith(PNG_SIGNATURE)
    for fig in figures:
        assert_texts_inside(fig)


def test_growth_chart_rejects_a_series_without_a_value_for_each_size() -> None:
    with pytest.raises(ValueError):
        growth_chart([1, 2], {"a": [1.0]}, size_label="n", unit="ms")
