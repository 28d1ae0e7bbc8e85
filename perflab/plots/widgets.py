"""Controls for the notebook: a slider and a Run button that start a live load test."""

from __future__ import annotations

from typing import Any

from perflab.errors import PerflabError
from perflab.i18n import _

__all__ = ["load_panel"]


def load_panel(url: str, concurrency: int = 8, duration_s: float = 2.0, max_concurrency: int = 128) -> Any:
    """Return a panel with a concurrency slider and a Run button that load-tests ``url`` live.

    Args:
        url: The full URL to request.
        concurrency: The slider's starting value. Defaults to 8.
        duration_s: How long each run lasts. Defaults to 2.
        max_concurrency: The slider's top value. Defaults to 128.
    """
    import ipywidgets as widgets
    from IPython.display import display

    from perflab.plots.live import load

    slider = widgets.IntSlider(value=concurrency, min=1, max=max_concurrency, description=_("in flight"),
                               continuous_update=False, style={"description_width": "initial"})
    button = widgets.Button(description=_("Run"), button_style="primary", icon="play")
    output = widgets.Output()

    def run(_button: Any) -> None:
        button.disabled = True
        output.clear_output(wait=True)
        with output:
            try:
                display(load(url, concurrency=slider.value, duration_s=duration_s, plot=True, progress=False))
            except PerflabError as exc:
                print(exc)
            finally:
                button.disabled = False

    button.on_click(run)
    return widgets.VBox([widgets.HBox([slider, button]), output])
