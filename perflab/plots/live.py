"""``load()`` as a notebook uses it: the load generator wired to a live latency plot."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from perflab.load import generator as loadgen
from perflab.i18n import _
from perflab.render import in_notebook

if TYPE_CHECKING:
    from perflab.plots.charts import Chart

__all__ = ["load", "plotted_load"]


def load(url: str, *, plot: bool | None = None, title: str | None = None, **options: Any) -> loadgen.LoadResult:
    """Load-test ``url`` and, in a notebook, plot latency and throughput live while it runs.

    Usage:
        result = load(server.url + "/slow", concurrency=16, duration_s=3)

    Args:
        url: The full URL to request.
        plot: Draw the live plot. Defaults to True inside Jupyter and False elsewhere.
        title: The plot's title. Defaults to the URL and the concurrency.
        **options: Passed on to ``perflab.load.generator.load``: concurrency or rate, duration_s, requests,
            arrivals, method, timeout_s.
    """
    if not (in_notebook() if plot is None else plot):
        return loadgen.load(url, **options)
    return plotted_load(url, title=title, **options)[0]


def plotted_load(url: str, *, title: str | None = None, **options: Any) -> tuple[loadgen.LoadResult, Chart]:
    """Load-test ``url`` with the live plot, and return the result with the run's final chart.

    Args:
        url: The full URL to request.
        title: The plot's title. Defaults to the URL and the concurrency or the rate.
        **options: Passed on to ``perflab.load.generator.load``, as in ``load()``.
    """
    from perflab.plots.live_plot import LiveLatencyPlot

    rate = options.get("rate")
    default_title = (_("{url}, requests per second: {rate:g}", url=url, rate=rate) if rate is not None
                     else _("{url}, {concurrency} in flight", url=url, concurrency=options.get("concurrency")))
    live = LiveLatencyPlot(title=title or default_title)
    try:
        result = loadgen.load(url, on_batch=lambda b: live.add(b.elapsed_s, b.latencies_ms, b.error_count), **options)
    finally:
        live.finish()
    assert live.final_chart is not None  # finish() made it
    return result, live.final_chart
