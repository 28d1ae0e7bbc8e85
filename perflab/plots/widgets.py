"""Controls for the notebook: a slider and a Run button that start a live load test, and a table of the runs."""

from __future__ import annotations

from typing import Any

from perflab.errors import PerflabError
from perflab.i18n import _
from perflab.render import table_html

__all__ = ["load_panel", "target_url"]


def target_url(target: Any, path: str) -> str:
    """Return the URL to load: ``target`` itself, or ``path`` on the server of that name that runs now.

    A panel made for a server follows it: after the learner serves the same name again (a re-run
    cell), it loads the new one; after the server stopped, it says so, and how to bring it back.

    Args:
        target: A URL, or a server from ``serve()`` or ``serve_process()``.
        path: The path to request on a server, e.g. ``"/slow"``.
    """
    if isinstance(target, str):
        return target + path
    from perflab.serving.kernel import running_servers
    from perflab.serving.processes import running_processes

    for server in [*running_servers(), *running_processes()]:
        if server.name == target.name and server.running:
            return str(server.url) + path
    raise PerflabError(_("The server {name!r} is not running: a later cell stopped it, or the kernel restarted. "
                         "Run the cell that serves it again, then press Run.", name=target.name))


def load_panel(target: Any, path: str = "", concurrency: int = 8, duration_s: float = 2.0,
               max_concurrency: int = 128) -> Any:
    """Return a panel with a concurrency slider and a Run button that load-tests live, and a table of every run.

    Usage:
        load_panel(server, "/slow")  # follows the server named like this one, even when it is served again

    Args:
        target: A server from ``serve()`` or ``serve_process()``, or a full URL.
        path: The path to request on the server. Defaults to none (the URL as given).
        concurrency: The slider's starting value. Defaults to 8.
        duration_s: How long each run lasts. Defaults to 2.
        max_concurrency: The slider's top value. Defaults to 128.
    """
    import ipywidgets as widgets
    from IPython.display import display

    from perflab.plots.live import plotted_load

    slider = widgets.IntSlider(value=concurrency, min=1, max=max_concurrency, description=_("in flight"),
                               continuous_update=False, style={"description_width": "initial"})
    button = widgets.Button(description=_("Run"), button_style="primary", icon="play")
    runs: list[list[object]] = []
    history, output = widgets.HTML(), widgets.Output()

    def run(_button: Any) -> None:
        button.disabled = True
        output.clear_output(wait=True)
        with output:
            try:
                result, chart = plotted_load(target_url(target, path), concurrency=slider.value,
                                             duration_s=duration_s, progress=False)
                # The live frames' place cannot be updated inside an Output widget: show the chart anew.
                output.clear_output(wait=True)
                display(chart)
                runs.append([slider.value, f"{result.rps:,.0f}", f"{result.p50_ms:.1f}", f"{result.p99_ms:.1f}",
                             result.failed])
                history.value = table_html(_run_headers(), runs, _("Every run so far"))
                display(result)
            except PerflabError as exc:
                print(exc)
            finally:
                button.disabled = False

    button.on_click(run)
    panel = widgets.VBox([widgets.HBox([slider, button]), history, output])
    panel.perflab_runs = runs  # type: ignore[attr-defined]  # what the table shows, for tests and learners
    return panel


def _run_headers() -> list[str]:
    return [_("in flight"), _("throughput, req/s"), _("p50, ms"), _("p99, ms"), _("errors")]
