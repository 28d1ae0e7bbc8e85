"""The fake APIs that the checks of the exercise "gather" call through the learner's route.

One in-kernel server, shared by the checks of a run, serves every API a check may need: the
three healthy ones (with latencies drawn when it starts, in an order that is not the labels'),
one per label that fails in each way the exercise names, and one per label that hangs. A log
records when each call started and ended, at the API, whatever the learner's own overhead.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from perflab.checking.checks._shared import SharedServer
from perflab.lab.fakes import FakeAPI, quiet_app

__all__ = ["FAILURES", "HANG_S", "LABELS", "Span", "answer_of", "closed_port_url", "fake_apis", "latencies_ms",
           "stop_fakes"]

LABELS = ("weather", "news", "stocks")
# Three different latencies, given to the labels in an order drawn per server: the fastest API is
# not always the first label. One by one, the calls span their sum (90 ms); at once, the slowest.
LATENCIES_MS = (20.0, 30.0, 40.0)
# The overlap check calls "-slow" twins, this many times slower: the same ratios (at once, 2.25x at best)
# with the route's own overhead a third as large. At 1x, the solution overlapped 1.59x once (limit 1.6)
# in a run of 50 with a core busy and the machine overloaded beside.
SLOW_FACTOR = 3
FAILURES = ("503", "404", "302", "unreachable")  # what "fails" means in the exercise: not 200, or no answer
HANG_S = 4.0  # how long a hanging API hangs: beyond any bound the checks allow (3.7 s)

Span = tuple[float, float]  # when one API call started and ended, in perf_counter seconds
_LOG: list[Span] = []  # every call the fake APIs answer; the checks run one at a time
_latencies: dict[str, float] = {}


def answer_of(label: str, item_id: int) -> dict[str, Any]:
    """Return what a healthy API answers for ``item_id``.

    Args:
        label: The API's label.
        item_id: The id in the path.
    """
    return {"api": label, "item_id": item_id, "value": item_id * 10}


def latencies_ms() -> dict[str, float]:
    """Return each label's latency on the running server, in milliseconds."""
    return dict(_latencies)


class _Recorder:
    """ASGI middleware that logs when each request to the wrapped app starts and ends.

    Args:
        app: The fake API.
        log: Where to append ``(start_s, end_s)``.
    """

    def __init__(self, app: Any, log: list[Span]) -> None:
        self.app, self.log = app, log

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = time.perf_counter()

        async def logged_send(message: Any) -> None:
            # Logged before the last bytes leave: by the time the caller has its answer, the log has it.
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                self.log.append((start, time.perf_counter()))
            await send(message)

        await self.app(scope, receive, logged_send if scope["type"] == "http" else send)


def _hanging_api(label: str) -> FastAPI:
    """Return an API that answers only after HANG_S, or as soon as its caller gives up."""
    app = quiet_app()

    @app.get("/items/{item_id}")
    async def item(item_id: int, request: Request) -> dict[str, Any]:
        async def until_disconnected() -> None:
            while (await request.receive())["type"] != "http.disconnect":
                pass

        # Ending with the caller leaves nothing in flight, so the server stops at once.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(until_disconnected(), HANG_S)
        return answer_of(label, item_id)

    return app


def _failing_api(label: str, status: int) -> FastAPI:
    """Return an API that answers every call with ``status``: an error, or a redirect that is no answer."""
    app = quiet_app()

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> Any:
        if status == 302:
            return RedirectResponse(f"/moved/items/{item_id}", status_code=302)
        return JSONResponse({"detail": f"{label}: status {status}"}, status_code=status)

    return app


def _fake_root() -> FastAPI:
    """Return one app that serves every fake API a check may need, each under its own path."""
    root = quiet_app()
    _latencies.clear()
    _latencies.update(zip(LABELS, random.sample(LATENCIES_MS, len(LATENCIES_MS))))
    for label in LABELS:
        root.mount(f"/{label}", _Recorder(FakeAPI(label, _latencies[label]).app, _LOG))
        root.mount(f"/{label}-hanging", _Recorder(_hanging_api(label), _LOG))
        root.mount(f"/{label}-slow", _Recorder(FakeAPI(label, _latencies[label] * SLOW_FACTOR).app, _LOG))
        for status in (503, 404, 302):
            root.mount(f"/{label}-{status}", _Recorder(_failing_api(label, status), _LOG))
    return root


# Starting and stopping a server costs more than most checks: the checks of a run share one.
_FAKES = SharedServer("perflab-check-gather", _fake_root)


def closed_port_url() -> str:
    """Return a loopback URL where nothing listens, so a call to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@contextmanager
def fake_apis(broken: dict[str, str] | None = None) -> Iterator[tuple[dict[str, str], list[Span]]]:
    """Yield the URLs of the three fake APIs, some of them broken, and the call log.

    Args:
        broken: Labels mapped to how each fails: one of FAILURES, or "hanging"; or "slow" for the slow twin.
            Defaults to none.
    """
    with _FAKES.running() as server:  # the last check stops it: stop_fakes
        urls = {label: f"{server.url}/{label}" for label in LABELS}
        for label, how in (broken or {}).items():
            urls[label] = closed_port_url() if how == "unreachable" else f"{server.url}/{label}-{how}"
        yield urls, _LOG


def stop_fakes() -> None:
    """Stop the fake APIs' server now: the run's last check ends, however it ends."""
    _FAKES.stop()
