"""``load()`` as a notebook uses it: the load generator wired to a live latency plot."""

from __future__ import annotations

from typing import Any

from perflab.load import generator as loadgen
from perflab.i18n import _
from perflab.render import in_notebook

__all__ = ["load"]


def load(url: str, *, plot: bool | None = None, title: str | None = None, **options: Any) -> loadgen.LoadResult:
    """Load-test ``url`` and, in a notebook, plot latency and throughput live while it runs.

    Usage:
        result = load(server.url + "/slow", concurrency=16, duration_s=3)

    Args:
        url: The full URL to request.
        plot: Draw the live plot. Defaults to True inside Jupyter and False elsewhere.
        title: The plot's title. Defaults to the URL and the concurrency.
        **options: Passed on to ``perflab.load.generator.load``: concurrency, duration_s, requests, method, timeout_s.
    """
    if not (in_notebook() if plot is None else plot):
        return loadgen.load(url, **options)
    from perflab.plots.live_plot import LiveLatencyPlot

    concurrency = options.get("concurrency", 32)
    live = LiveLatencyPlot(title=title or _("{url}, {concurrency} in flight", url=url, concurrency=concurrency))
    try:
        return loadgen.load(url, on_batch=lambda b: live.add(b.elapsed_s, b.latencies_ms, b.error_count), **options)
    finally:
        live.finish()
