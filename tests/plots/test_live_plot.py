"""Tests for perflab.plots.live_plot: the live plot's frame rate, its SVG frames, and the chart it leaves."""

from __future__ import annotations

import base64
import subprocess
import sys
import time
import types
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
import polib
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from perflab import i18n
from perflab.plots import charts, fonts
from perflab.plots import live_plot as plots
from perflab.plots.charts import panels_png
from perflab.i18n import use_language
from perflab.plots.live_plot import Chart, LiveLatencyPlot, LoadTimeline, latency_timeline, ratio_chart
from perflab.plots.svg import panels_svg
from font_kit import needs_bengali_font

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
BENGALI_LABELS = {
    "time (s)": "সময় (সেকেন্ড)",
    "Latency (ms)": "লেটেন্সি (মিলিসেকেন্ড)",
    "Throughput (requests/s)": "থ্রুপুট (অনুরোধ/সেকেন্ড)",
    "p50 (median)": "p50 (মধ্যমা)",
    "Load test": "লোড টেস্ট",
}
RUSSIAN_LABELS = {
    "time (s)": "время (с)",
    "Latency (ms)": "Задержка (мс)",
    "Throughput (requests/s)": "Пропускная способность (запросов/с)",
    "Load test": "Нагрузочный тест",
    "{title} · {elapsed_s:.1f} s · requests: {requests} · errors: {errors}":
        "{title} · {elapsed_s:.1f} с · запросов: {requests} · ошибок: {errors}",
}


class FakeClock:
    """A clock that moves only when a test says so."""

    def __init__(self) -> None:
        self.now_s = 0.0

    def __call__(self) -> float:
        return self.now_s


@pytest.fixture(autouse=True)
def clean_state(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Give each test English, fresh font state and its own rcParams."""
    monkeypatch.setitem(i18n._state, "lang", "en")
    for key in ("warned", "saved", "applied"):
        monkeypatch.setitem(fonts._state, key, None if key != "warned" else False)
    with matplotlib.rc_context():
        yield


def use_catalog(lang: str, labels: dict[str, str], folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch to ``lang`` with a small catalog of plot labels written under ``folder``."""
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8"}
    for msgid, msgstr in labels.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    (folder / lang / "LC_MESSAGES").mkdir(parents=True)
    po.save(str(folder / lang / "LC_MESSAGES" / "perflab.po"))
    monkeypatch.setenv("PERFLAB_LOCALES", str(folder))
    use_language(lang)


@pytest.fixture
def bn_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch to Bangla with a small catalog of plot labels."""
    use_catalog("bn", BENGALI_LABELS, tmp_path, monkeypatch)


@pytest.fixture
def ru_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Switch to Russian with a small catalog of plot labels."""
    use_catalog("ru", RUSSIAN_LABELS, tmp_path, monkeypatch)


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


class FakeWidget:
    """Stands in for ``ipywidgets.HTML``: remembers each value and whether it was closed."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.closed = False

    @property
    def value(self) -> str:
        return self.values[-1] if self.values else ""

    @value.setter
    def value(self, markup: str) -> None:
        self.values.append(markup)

    def close(self) -> None:
        self.closed = True


class FakeHandle:
    """Stands in for the display handle that ``display(..., display_id=True)`` returns."""

    def __init__(self, shown: object) -> None:
        self.shown = [shown]

    def update(self, obj: object) -> None:
        self.shown.append(obj)


@pytest.fixture
def notebook(monkeypatch: pytest.MonkeyPatch) -> list[FakeHandle]:
    """Pretend to run in Jupyter, with fake widgets; return the handles of what is displayed."""
    handles: list[FakeHandle] = []

    def display(obj: object, display_id: bool = False) -> FakeHandle:
        handles.append(FakeHandle(obj))
        return handles[-1]

    monkeypatch.setattr(plots, "in_notebook", lambda: True)
    monkeypatch.setitem(sys.modules, "ipywidgets", types.SimpleNamespace(HTML=FakeWidget))
    monkeypatch.setattr("IPython.display.display", display)
    return handles


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


def svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)  # raises on markup that is not well-formed XML
    return ["".join(element.itertext()) for element in root.iter(f"{SVG}text")]


def sixty_seconds() -> LiveLatencyPlot:
    """A live plot fed a 60 s run, 30 requests every 0.1 s."""
    plot = LiveLatencyPlot(live=False)
    rng = np.random.default_rng(0)
    for step in range(1, 601):
        plot.add(step * 0.1, 50.0 + rng.gamma(2.0, 3.0, 30), errors=int(step % 37 == 0))
    return plot


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


def test_slow_frames_are_spaced_out_but_keep_two_a_second(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = FakeClock()
    real_svg = panels_svg

    def slow_svg(*args: Any) -> str:
        clock.now_s += 0.3  # as if each frame took 0.3 s to build
        return real_svg(*args)

    monkeypatch.setattr(plots, "panels_svg", slow_svg)
    plot = LiveLatencyPlot(live=True, clock=clock)
    frame_times_s = feed(plot, clock, duration_s=5.0, period_s=0.1)
    assert plot.draw_time_s == pytest.approx(0.3 * plot.redraws)
    plot.finish()
    assert np.diff(frame_times_s).min() >= 0.5 - 1e-9
    assert len(frame_times_s) >= 2 * 5


def test_frames_are_svg_with_the_heading_and_both_panels() -> None:
    clock = FakeClock()
    plot = LiveLatencyPlot(live=True, clock=clock)
    feed(plot, clock, duration_s=1.0, period_s=0.1)
    assert plot.last_frame_svg is not None
    labels = svg_texts(plot.last_frame_svg)
    assert labels[0].startswith("Load test · 1.0 s · requests: 30 · errors: 0")
    assert "Latency (ms)" in labels and "Throughput (requests/s)" in labels
    plot.finish()


def test_a_frame_costs_a_tenth_of_a_matplotlib_frame_or_less(capsys: pytest.CaptureFixture[str]) -> None:
    plot = sixty_seconds()
    panels = plots._panels(plot._series(final=False), plot.bucket_s, plot._labels)

    def best_s(build: Callable[[], object], repeats: int) -> float:
        timings = []
        for _attempt in range(repeats):
            started_s = time.perf_counter()
            build()
            timings.append(time.perf_counter() - started_s)
        return min(timings)

    svg_s = best_s(plot.frame_svg, 30)  # the whole frame: series, labels and markup
    png_s = best_s(lambda: panels_png(panels, "Load test"), 3)  # matplotlib, the same series
    with capsys.disabled():
        print(f"\n60 s run: SVG frame {svg_s * 1e3:.2f} ms, matplotlib frame {png_s * 1e3:.1f} ms, "
              f"{png_s / svg_s:.0f}× cheaper")
    assert svg_s * 10 <= png_s
    assert len(panels_svg(panels, "Load test")) < 20_000  # small enough to send four times a second


def test_frames_show_in_an_html_widget_that_the_final_chart_replaces(notebook: list[FakeHandle]) -> None:
    clock = FakeClock()
    plot = LiveLatencyPlot(clock=clock)
    assert plot.live is True
    feed(plot, clock, duration_s=1.0, period_s=0.1)
    widget = notebook[0].shown[0]
    assert isinstance(widget, FakeWidget)
    assert len(widget.values) == plot.redraws >= 2
    assert all(value.startswith("<svg") for value in widget.values)
    plot.finish()
    assert notebook[0].shown[1] is plot.final_chart
    assert widget.value == "" and widget.closed
    assert len(notebook) == 1  # the chart took the widget's place; nothing else was shown


def test_finish_leaves_a_static_image_with_alt_text() -> None:
    clock = FakeClock()
    plot = LiveLatencyPlot(live=True, clock=clock)
    feed(plot, clock, duration_s=3.0, period_s=0.1)
    plot.finish()
    assert plot.final_chart is not None
    bundle = plot.final_chart._repr_mimebundle_()
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)
    assert bundle["text/plain"] == plot.final_chart.alt
    assert "requests: 90" in plot.final_chart.alt and "errors: 2" in plot.final_chart.alt
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
    plot.add(0.6, np.array([1.0, 2.0]), errors=1)  # load results carry numpy arrays
    plot.finish()
    assert plot.redraws == 0 and plot.last_frame_svg is None
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


def assert_texts_inside(fig: Figure) -> None:
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    for text in fig.findobj(Text):
        if text.get_text() and text.get_visible():
            extent = text.get_window_extent(renderer)
            assert fig.bbox.x0 - 1 <= extent.x0 and extent.x1 <= fig.bbox.x1 + 1, text.get_text()
            assert fig.bbox.y0 - 1 <= extent.y0 and extent.y1 <= fig.bbox.y1 + 1, text.get_text()


def test_live_plot_labels_stay_inside_the_picture(figures: list[Figure]) -> None:
    plot = LiveLatencyPlot(bucket_s=5.0)
    for step in range(1, 1201):  # ten minutes, with latencies in the thousands of ms
        plot.add(step * 0.5, [1500.0 + step, 2500.0], errors=step % 50 == 0)
    plot.finish()
    assert_texts_inside(figures[-1])


def test_static_names_are_still_importable_from_plots() -> None:
    assert (Chart, ratio_chart, latency_timeline, LoadTimeline) == (
        charts.Chart, charts.ratio_chart, charts.latency_timeline, charts.LoadTimeline)


@pytest.mark.usefixtures("ru_catalog")
def test_frames_and_the_final_chart_speak_the_learners_language(figures: list[Figure]) -> None:
    clock = FakeClock()
    plot = LiveLatencyPlot(live=True, clock=clock)
    feed(plot, clock, duration_s=1.0, period_s=0.1)
    assert plot.last_frame_svg is not None
    labels = svg_texts(plot.last_frame_svg)
    assert labels[0].startswith("Нагрузочный тест · 1,0\u00a0с · запросов: 30")  # a decimal comma, a no-break space
    assert "Задержка (мс)" in labels and "время (с)" in labels
    assert "Пропускная способность (запросов/с)" in labels
    plot.finish()
    assert "Задержка (мс)" in texts_of(figures[-1])


@needs_bengali_font
@pytest.mark.usefixtures("bn_catalog")
def test_bangla_labels_render_without_missing_glyphs(figures: list[Figure]) -> None:
    clock = FakeClock()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns for each glyph a font lacks
        plot = LiveLatencyPlot(live=True, clock=clock)
        feed(plot, clock, duration_s=2.0, period_s=0.1)
        plot.finish()
    labels = "".join(text for fig in figures for text in texts_of(fig))
    assert "লোড টেস্ট" in labels and "লেটেন্সি (মিলিসেকেন্ড)" in labels
    assert plot.last_frame_svg is not None and "লেটেন্সি (মিলিসেকেন্ড)" in svg_texts(plot.last_frame_svg)


@pytest.mark.usefixtures("bn_catalog")
def test_without_a_bengali_font_plots_are_labelled_in_english(
    monkeypatch: pytest.MonkeyPatch, figures: list[Figure]
) -> None:
    monkeypatch.setattr(fonts, "find_bengali_font", lambda: None)
    with pytest.warns(fonts.MissingFontWarning):
        plot = LiveLatencyPlot()
    plot.add(0.5, [1.0])
    plot.finish()
    labels = "".join(text for fig in figures for text in texts_of(fig))
    assert "Load test" in labels and "Latency (ms)" in labels
    assert not any("\u0980" <= ch <= "\u09ff" for ch in labels)


def test_the_live_plot_leaves_pyplot_and_widgets_unimported() -> None:
    code = (
        "import sys\n"
        "from perflab.plots.live_plot import LiveLatencyPlot\n"
        "p = LiveLatencyPlot(live=True); p.add(0.6, [1.0]); p.finish()\n"
        "print(sorted(m for m in ('matplotlib.pyplot', 'ipywidgets') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow
def test_in_a_notebook_live_frames_give_way_to_a_static_image(tmp_path: Path) -> None:
    nbformat = pytest.importorskip("nbformat")
    from nbclient import NotebookClient

    code = (
        "import time\nfrom perflab.plots.live_plot import LiveLatencyPlot\n"
        "plot = LiveLatencyPlot(min_interval_s=0.1)\n"
        "start_s = time.monotonic()\n"
        "while (elapsed_s := time.monotonic() - start_s) < 1.5:\n"
        "    plot.add(elapsed_s, [1.0, 2.0, 3.0])\n"
        "    time.sleep(0.05)\n"
        "plot.finish()\n"
        "assert plot.redraws >= 2 and plot.last_frame_svg is not None\n"
    )
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    cwd = Path(plots.__file__).resolve().parents[2]
    NotebookClient(notebook, timeout=120, resources={"metadata": {"path": str(cwd)}}).execute()
    outputs: list[Any] = notebook.cells[0].outputs
    assert [o.output_type for o in outputs] == ["display_data"]
    data = outputs[0].data
    assert set(data) == {"image/png", "text/html", "text/plain"}
    assert 'alt="Line charts of a load test' in data["text/html"]
