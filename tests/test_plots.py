"""Tests for perflab.plots: the live plot's frame rate, its final image, and the static charts."""

from __future__ import annotations

import base64
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import polib
import pytest
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.text import Text

from perflab import fonts, i18n, plots
from perflab.i18n import use_language
from perflab.plots import Chart, LiveLatencyPlot, latency_timeline, ratio_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
BENGALI_LABELS = {
    "time (s)": "সময় (সেকেন্ড)",
    "Latency (ms)": "লেটেন্সি (মিলিসেকেন্ড)",
    "Throughput (requests/s)": "থ্রুপুট (অনুরোধ/সেকেন্ড)",
    "p50 (median)": "p50 (মধ্যমা)",
    "Load test": "লোড টেস্ট",
    "baseline": "ভিত্তি",
    "×{factor:.1f} faster": "×{factor:.1f} দ্রুত",
    "×{factor:.1f} slower": "×{factor:.1f} ধীর",
}
needs_bengali_font = pytest.mark.skipif(
    not any("Bengali" in e.name for e in font_manager.fontManager.ttflist),
    reason="no Bengali font installed (Debian: fonts-noto-core)",
)


class FakeClock:
    """A clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.now_s = 0.0

    def __call__(self) -> float:
        return self.now_s


@dataclass(frozen=True)
class FakeResult:
    timestamps_s: list[float]
    latencies_ms: list[float]


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
    """Switch to Bangla with a small catalog of plot labels."""
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
    real_png = plots._png

    def keep(fig: Figure) -> bytes:
        rendered.append(fig)
        return real_png(fig)

    monkeypatch.setattr(plots, "_png", keep)
    return rendered


def feed(plot: LiveLatencyPlot, clock: FakeClock, duration_s: float, period_s: float) -> list[float]:
    """Add a batch every ``period_s`` simulated seconds; return the times frames were scheduled."""
    frame_times_s = []
    for step in range(1, round(duration_s / period_s) + 1):
        clock.now_s = step * period_s
        before = plot.redraws
        plot.add(clock.now_s, [2.0, 3.0, 4.0 + step % 7], errors=step % 13 == 0)
        if plot.redraws > before:
            frame_times_s.append(clock.now_s)
    return frame_times_s


def texts_of(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if t.get_text()]


@pytest.mark.parametrize(("min_interval_s", "period_s"), [(0.25, 0.1), (0.25, 0.03), (0.1, 0.1), (0.4, 0.1)])
def test_frames_never_come_sooner_than_min_interval_nor_less_than_twice_a_second(
    min_interval_s: float, period_s: float
) -> None:
    clock = FakeClock()
    plot = LiveLatencyPlot(min_interval_s=min_interval_s, live=True, clock=clock)
    frame_times_s = feed(plot, clock, duration_s=10.0, period_s=period_s)
    plot.finish()
    gaps_s = np.diff(frame_times_s)
    assert gaps_s.min() >= min_interval_s - 1e-9
    for second in range(10):
        assert sum(second <= t < second + 1 for t in frame_times_s) >= 2
    assert plot.redraws == len(frame_times_s)


def test_slow_drawing_spaces_frames_out_but_keeps_two_a_second() -> None:
    clock = FakeClock()
    plot = LiveLatencyPlot(live=True, clock=clock)
    plot._last_cost_s = 0.3  # as if each frame took 0.3 s to draw
    frame_times_s = feed(plot, clock, duration_s=5.0, period_s=0.1)
    plot.finish()
    assert np.diff(frame_times_s).min() >= 0.5 - 1e-9
    assert len(frame_times_s) >= 2 * 5


def test_frames_are_drawn_as_png() -> None:
    clock = FakeClock()
    plot = LiveLatencyPlot(live=True, clock=clock)
    feed(plot, clock, duration_s=1.0, period_s=0.1)
    assert plot._worker is not None and plot._worker.idle.wait(timeout=60)
    plot.finish()
    assert plot.last_frame_png is not None and plot.last_frame_png.startswith(PNG_SIGNATURE)


def test_finish_leaves_a_static_image_with_alt_text() -> None:
    clock = FakeClock()
    plot = LiveLatencyPlot(live=True, clock=clock)
    feed(plot, clock, duration_s=3.0, period_s=0.1)
    plot.finish()
    assert plot.final_chart is not None
    bundle = plot.final_chart._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)
    assert bundle["text/plain"] == plot.final_chart.alt
    assert "90 requests" in plot.final_chart.alt and "errors: 2" in plot.final_chart.alt
    assert bundle["text/html"].startswith("<img src=\"data:image/png;base64,")
    assert f'alt="{plot.final_chart.alt}"' in bundle["text/html"]


def test_after_finish_batches_draw_nothing_and_finish_again_is_harmless() -> None:
    clock = FakeClock()
    plot = LiveLatencyPlot(live=True, clock=clock)
    feed(plot, clock, duration_s=1.0, period_s=0.1)
    plot.finish()
    chart, redraws = plot.final_chart, plot.redraws
    feed(plot, clock, duration_s=1.0, period_s=0.1)
    plot.finish()
    assert plot.redraws == redraws and plot.final_chart is chart


def test_outside_jupyter_nothing_is_drawn_or_shown(capsys: pytest.CaptureFixture[str]) -> None:
    plot = LiveLatencyPlot()
    assert plot.live is False
    plot.add(0.3, [1.0, 2.0])
    plot.add(0.6, [1.0, 2.0], errors=1)
    plot.finish()
    assert plot.redraws == 0 and plot.last_frame_png is None
    assert plot.final_chart is not None and "errors: 1" in plot.final_chart.alt
    assert capsys.readouterr().out == ""


def test_buckets_give_rates_and_show_a_stall_as_zero() -> None:
    plot = LiveLatencyPlot(bucket_s=0.5)
    for step in range(20):  # 10 requests every 0.1 s for 2 s, but nothing from 1.0 s to 1.5 s
        elapsed_s = 0.05 + step * 0.1
        if not 1.0 <= elapsed_s < 1.5:
            plot.add(elapsed_s, [float(step)] * 10)
    series = plot._series(final=True)
    assert series["t"].tolist()[:3] == [0.25, 0.75, 1.25] and series["t"][3] > 1.5
    assert series["rps"].tolist()[:3] == [100.0, 100.0, 0.0]
    assert np.isnan(series["p50"][2]) and series["p50"][0] == 2.0


def test_live_view_shows_only_the_window_and_only_full_buckets() -> None:
    plot = LiveLatencyPlot(window_s=2.0, bucket_s=0.5)
    for step in range(1, 101):
        plot.add(step * 0.1 - 0.01, [1.0])
    live, final = plot._series(final=False), plot._series(final=True)
    assert live["t"].min() >= 9.99 - 2.0 and live["t"].max() < 9.5
    assert final["t"].min() == 0.25 and final["t"].max() > 9.5


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


def assert_texts_inside(fig: Figure) -> None:
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for text in fig.findobj(Text):
        if text.get_text() and text.get_visible():
            extent = text.get_window_extent(renderer)
            assert fig.bbox.x0 - 1 <= extent.x0 and extent.x1 <= fig.bbox.x1 + 1, text.get_text()
            assert fig.bbox.y0 - 1 <= extent.y0 and extent.y1 <= fig.bbox.y1 + 1, text.get_text()


def test_ratio_chart_labels_stay_inside_the_picture(figures: list[Figure]) -> None:
    ratio_chart(["a", "b"], [1.0, 1000.0], unit="requests/s", title="A very long title for two bars")
    ratio_chart(["a long label for a bar", "b"], [7.5, 0.1], unit="ms")
    for fig in figures:
        assert_texts_inside(fig)


def test_live_plot_labels_stay_inside_the_picture(figures: list[Figure]) -> None:
    plot = LiveLatencyPlot(bucket_s=5.0)
    for step in range(1, 1201):  # ten minutes, with latencies in the thousands of ms
        plot.add(step * 0.5, [1500.0 + step, 2500.0], errors=step % 50 == 0)
    plot.finish()
    assert_texts_inside(figures[-1])


def test_latency_timeline_starts_at_zero_and_describes_the_run(figures: list[Figure]) -> None:
    rng = np.random.default_rng(0)
    result = FakeResult(sorted(1000.0 + rng.uniform(0, 5, 500)), list(rng.gamma(2.0, 3.0, 500)))
    chart = latency_timeline(result)
    assert "500 requests" in chart.alt and chart.png.startswith(PNG_SIGNATURE)
    assert figures[0].axes[0].get_xlim()[0] < 1.0
    with pytest.raises(ValueError):
        latency_timeline(FakeResult([1.0, 2.0], [1.0]))


def test_chart_renders_as_text_outside_jupyter() -> None:
    chart = Chart(png=PNG_SIGNATURE, alt="two bars", text="a  1 ms")
    assert repr(chart) == str(chart) == "a  1 ms"
    assert Chart(png=PNG_SIGNATURE, alt="two bars")._repr_mimebundle_()["text/plain"] == "two bars"


@needs_bengali_font
@pytest.mark.usefixtures("bn_catalog")
def test_bangla_labels_render_without_missing_glyphs(figures: list[Figure]) -> None:
    clock = FakeClock()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns for each glyph a font lacks
        plot = LiveLatencyPlot(live=True, clock=clock)
        feed(plot, clock, duration_s=2.0, period_s=0.1)
        plot.finish()
        ratio_chart(["sync def", "async def"], [90.0, 30.0], unit="ms")
    labels = [text for fig in figures for text in texts_of(fig)]
    assert "লোড টেস্ট" in "".join(labels) and "×3.0 দ্রুত" in "".join(labels)


@pytest.mark.usefixtures("bn_catalog")
def test_without_a_bengali_font_plots_are_labelled_in_english(
    monkeypatch: pytest.MonkeyPatch, figures: list[Figure]
) -> None:
    monkeypatch.setattr(fonts, "find_bengali_font", lambda: None)
    with pytest.warns(fonts.MissingFontWarning):
        plot = LiveLatencyPlot()
    plot.add(0.5, [1.0])
    plot.finish()
    ratio_chart(["sync def", "async def"], [90.0, 30.0], unit="ms")
    labels = "".join(text for fig in figures for text in texts_of(fig))
    assert "Load test" in labels and "×3.0 faster" in labels
    assert not any("\u0980" <= ch <= "\u09ff" for ch in labels)


def test_charts_leave_pyplot_and_widgets_unimported() -> None:
    code = (
        "import sys\n"
        "from perflab.plots import LiveLatencyPlot, ratio_chart\n"
        "p = LiveLatencyPlot(live=True); p.add(0.6, [1.0]); p.finish()\n"
        "ratio_chart(['a', 'b'], [1.0, 2.0], unit='ms')\n"
        "print(sorted(m for m in ('matplotlib.pyplot', 'ipywidgets') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_in_a_notebook_live_frames_give_way_to_a_static_image(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    code = (
        "import time\nfrom perflab.plots import LiveLatencyPlot\n"
        "plot = LiveLatencyPlot(min_interval_s=0.1)\n"
        "start_s = time.monotonic()\n"
        "while (elapsed_s := time.monotonic() - start_s) < 1.5:\n"
        "    plot.add(elapsed_s, [1.0, 2.0, 3.0])\n"
        "    time.sleep(0.05)\n"
        "plot.finish()\n"
        "assert plot.redraws >= 2 and plot.last_frame_png is not None\n"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    cwd = Path(plots.__file__).resolve().parent.parent
    NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(cwd)}}).execute()
    outputs: list[Any] = notebook.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data"]
    data = outputs[0].data
    assert set(data) == {"image/png", "text/html", "text/plain"}
    assert 'alt="Line charts of a load test' in data["text/html"]
