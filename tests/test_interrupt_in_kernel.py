"""Ctrl-C (a kernel interrupt) stops the running cell and leaves in-kernel servers serving."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from jupyter_client.manager import start_new_kernel


@pytest.fixture
def kernel() -> Iterator[tuple[object, object]]:
    manager, client = start_new_kernel(kernel_name="python3")
    yield manager, client
    client.stop_channels()
    manager.shutdown_kernel(now=True)


def _run(client: object, code: str, timeout_s: float = 30) -> dict:
    # Right after an error, ipykernel aborts the requests that reach it within a short window:
    # an aborted request never ran, so send it again.
    for _attempt in range(5):
        reply = client.execute_interactive(code, timeout=timeout_s, store_history=False, output_hook=lambda msg: None)
        if reply["content"]["status"] != "aborted":
            break
        time.sleep(0.2)
    return reply["content"]


@pytest.mark.slow
def test_interrupt_stops_the_cell_not_the_server(kernel: tuple[object, object]) -> None:
    manager, client = kernel
    setup = "import time, httpx, perflab\nfrom fastapi import FastAPI\napp = FastAPI()\n" \
            "@app.get('/')\nasync def root(): return {'ok': True}\nsrv = perflab.serve(app, name='keep')"
    assert _run(client, setup)["status"] == "ok"
    client.execute("time.sleep(60)")
    time.sleep(1.0)
    manager.interrupt_kernel()
    reply = client.get_shell_msg(timeout=15)["content"]
    assert reply["status"] == "error" and reply["ename"] == "KeyboardInterrupt"
    answer = _run(client, "assert httpx.get(srv.url).json() == {'ok': True}\nsrv.stop()")
    assert answer["status"] == "ok", answer
