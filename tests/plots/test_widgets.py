"""The load panel follows its server, says how to bring it back when it stopped, and keeps every run."""

from __future__ import annotations

import pytest

from perflab.errors import PerflabError
from perflab.lab.fakes import quiet_app
from perflab.plots.widgets import load_panel, target_url
from perflab.serving.kernel import serve


def _app():  # type: ignore[no-untyped-def]
    app = quiet_app()

    @app.get("/ping")
    async def ping() -> dict[str, bool]:
        return {"ok": True}

    return app


def test_a_panel_follows_its_server_when_it_is_served_again_and_says_when_it_stopped() -> None:
    first = serve(_app(), name="panel-demo")
    assert target_url(first, "/ping") == first.url + "/ping"
    first.stop()
    with pytest.raises(PerflabError, match="'panel-demo' is not running.*Run the cell that serves it again"):
        target_url(first, "/ping")
    again = serve(_app(), name="panel-demo", port=0)
    try:
        assert target_url(first, "/ping") == again.url + "/ping"  # the old handle finds the new server
    finally:
        again.stop()


def test_a_url_is_loaded_as_given() -> None:
    assert target_url("http://127.0.0.1:9/x", "") == "http://127.0.0.1:9/x"


def test_every_run_stays_in_the_panels_table() -> None:
    server = serve(_app(), name="panel-runs")
    try:
        panel = load_panel(server, "/ping", concurrency=2, duration_s=0.3)
        controls, history, _output = panel.children
        slider, button = controls.children
        button.click()
        slider.value = 4
        button.click()
    finally:
        server.stop()
    assert [row[0] for row in panel.perflab_runs] == [2, 4]
    assert "<table" in history.value and history.value.count("<tr>") == 3  # the header and two runs
    button.click()  # the server has stopped: a message, not an exception
    assert len(panel.perflab_runs) == 2 and not button.disabled
