"""Checks for the exercise "gather": one route calls three fake APIs at once and labels the answers.

The checks serve their own fake APIs, with latencies they chose, on one in-kernel server that
the checks of a run share, and pass their URLs to the learner's ``create_app(api_urls,
timeout_s)``. The learner's app is called in-process. Concurrency is timed at the fake APIs:
how much the three calls overlap, whatever the learner's own overhead.
"""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import httpx
from fastapi import FastAPI, Request

from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.checking.checks._shared import SharedServer
from perflab.serving.client import asgi_client
from perflab.lab.fakes import FakeAPI, quiet_app
from perflab.i18n import _

__all__ = ["CHECKS", "MIN_OVERLAP", "TIMEOUT_SLACK_S"]

LABELS = ("weather", "news", "stocks")
FAILING, HANGING = "news", "stocks"  # which API answers 503, and which one hangs, when a check asks
ITEM_ID = 7
PATH = f"/dashboard/{ITEM_ID}"
# Three different latencies. One by one, the calls span their sum (90 ms); at once, the
# slowest (40 ms): the calls' total time over their span, the overlap, is 2.25 at best.
LATENCY_MS = {"weather": 20.0, "news": 30.0, "stocks": 40.0}
# Measured here (medians of 5 route calls): 2.1-2.2 for gather, TaskGroup and aiohttp, and 1.9
# or more with the other core busy; 0.9-1.0 one by one; 1.1-1.3 when two calls overlap and the
# third waits (1.5 at worst, in theory).
MIN_OVERLAP = 1.6
REPEAT = 5
# What the last check passes as timeout_s: 15x the slowest healthy API. At 0.25 s (6x), a healthy
# 20 ms API once took longer, in 1 of 50 runs with a core busy while a helper agent also ran.
TIMEOUT_S = 0.6
TIMEOUT_SLACK_S = 0.4  # the route must answer within timeout_s plus this, as the stub says
HANG_S = 2.5  # how long the API that is too slow hangs: far beyond the bound of 1.0 s

Span = tuple[float, float]  # when one API call started and ended, in perf_counter seconds


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
    """Return an API that answers only after HANG_S, or as soon as its caller gives up.

    Args:
        label: Its name, returned in the answer.
    """
    app = quiet_app()

    @app.get("/items/{item_id}")
    async def item(item_id: int, request: Request) -> dict[str, Any]:
        async def until_disconnected() -> None:
            while (await request.receive())["type"] != "http.disconnect":
                pass

        # Ending with the caller leaves nothing in flight, so the server stops at once.
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(until_disconnected(), HANG_S)
        return {"api": label, "item_id": item_id, "value": item_id * 10}

    return app


_LOG: list[Span] = []  # every call the fake APIs answer; the checks run one at a time


def _fake_root() -> FastAPI:
    """Return one app that serves every fake API a check may need, each under its own path."""
    root = quiet_app()
    for label in LABELS:
        root.mount(f"/{label}", _Recorder(FakeAPI(label, LATENCY_MS[label]).app, _LOG))
    root.mount(f"/{FAILING}-down", _Recorder(FakeAPI(FAILING, LATENCY_MS[FAILING], failure_rate=1.0).app, _LOG))
    root.mount(f"/{HANGING}-hanging", _Recorder(_hanging_api(HANGING), _LOG))
    return root


# Starting and stopping a server costs more than most checks: the four checks of a run share one.
_FAKES = SharedServer("perflab-check-gather", _fake_root)


@contextmanager
def _fake_apis(
    failing: bool = False, hanging: bool = False, last: bool = False
) -> Iterator[tuple[dict[str, str], list[Span]]]:
    """Yield the URLs of the three fake APIs (one of them failing or hanging) and the call log.

    Args:
        failing: Whether FAILING answers 503. Defaults to False.
        hanging: Whether HANGING hangs for HANG_S. Defaults to False.
        last: Whether this is the run's last check, so the fakes stop at once. Defaults to False.
    """
    paths = {label: label for label in LABELS}
    paths.update({FAILING: f"{FAILING}-down"} if failing else {})
    paths.update({HANGING: f"{HANGING}-hanging"} if hanging else {})
    with _FAKES.running(last) as server:
        yield {label: f"{server.url}/{path}" for label, path in paths.items()}, _LOG


@asynccontextmanager
async def _learner_client(ns: Namespace, urls: dict[str, str], timeout_s: float) -> AsyncIterator[httpx.AsyncClient]:
    """Build the learner's app for ``urls`` and yield an in-process client to it.

    Args:
        ns: The learner's objects.
        urls: Labels to base URLs.
        timeout_s: Passed on to ``create_app``.
    """
    create_app = ns.require("create_app", "def create_app(api_urls, timeout_s)")
    app = create_app(dict(urls), timeout_s=timeout_s)
    async with asgi_client(app) as client:
        yield client


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _expected(label: str) -> dict[str, Any]:
    return {"api": label, "item_id": ITEM_ID, "value": ITEM_ID * 10}


async def answers_all_three(ns: Namespace) -> None:
    """Fail unless the route answers 200 with each API's answer under its label.

    Args:
        ns: The learner's objects.
    """
    with _fake_apis() as (urls, _log):
        async with _learner_client(ns, urls, 1.0) as client:
            response = await client.get(PATH)
    expected = {label: _expected(label) for label in LABELS}
    if response.status_code != 200 or _body(response) != expected:
        raise CheckFailed(
            _("The route must answer 200 with a JSON object: each label, mapped to that API's answer."),
            input=f"GET {PATH}", expected=f"200 {expected}", actual=f"{response.status_code} {_body(response)}",
        )


def _overlap(log: list[Span]) -> float:
    """Return the calls' total time over the time from the first start to the last end.

    Args:
        log: The calls of one request to the route.
    """
    span_s = max(end for _start, end in log) - min(start for start, _end in log)
    return sum(end - start for start, end in log) / span_s


async def calls_concurrently(ns: Namespace) -> None:
    """Fail unless the three API calls overlap in time: their span is near the slowest, not the sum.

    Timed at the fake APIs, so the cost of the learner's own set-up (a new client per request,
    say) does not count: only whether the calls run at the same time.

    Args:
        ns: The learner's objects.
    """
    overlaps: list[float] = []
    with _fake_apis() as (urls, log):
        async with _learner_client(ns, urls, 2.0) as client:
            for _i in range(REPEAT):
                log.clear()
                response = await client.get(PATH)
                if response.status_code != 200 or len(log) < len(LABELS):
                    raise CheckFailed(_("The route must answer 200 after calling each API once."), input=f"GET {PATH}",
                                      expected="200", actual=f"{response.status_code} {_body(response)}")
                overlaps.append(_overlap(log))
    overlap = statistics.median(overlaps)
    if overlap < MIN_OVERLAP:
        raise CheckFailed(
            _("The three API calls overlapped only {overlap:.2f}× (their total time over the time from the "
              "first start to the last end; 1× means one after another). Calls made at the same time "
              "overlap at least {minimum}× here. Start all three calls before you await any of them.",
              overlap=overlap, minimum=MIN_OVERLAP),
            input=", ".join(f"{label}: {ms:.0f} ms" for label, ms in LATENCY_MS.items()),
            expected=f"≥ {MIN_OVERLAP}×", actual=f"{overlap:.2f}×",
        )


async def _answer_when_one_fails(ns: Namespace, hanging: bool) -> tuple[httpx.Response | None, float]:
    """Call the route while FAILING answers 503, or HANGING hangs; return the response (None if late) and seconds.

    Args:
        ns: The learner's objects.
        hanging: Whether HANGING hangs (the run's last check), instead of FAILING failing.
    """
    bound_s = TIMEOUT_S + TIMEOUT_SLACK_S
    with _fake_apis(failing=not hanging, hanging=hanging, last=hanging) as (urls, _log):
        async with _learner_client(ns, urls, TIMEOUT_S if hanging else 1.0) as client:
            start = time.perf_counter()
            try:
                response: httpx.Response | None = await asyncio.wait_for(client.get(PATH), bound_s)
            except asyncio.TimeoutError:
                response = None
            return response, time.perf_counter() - start


def _names_the_api(response: httpx.Response, status: int, label: str) -> bool:
    body = _body(response)
    detail = body.get("detail", "") if isinstance(body, dict) else ""
    return response.status_code == status and label in str(detail)


async def reports_failing_api(ns: Namespace) -> None:
    """Fail unless an API answering 503 makes the route answer 502 with a detail naming it.

    Args:
        ns: The learner's objects.
    """
    response, _elapsed = await _answer_when_one_fails(ns, hanging=False)
    if response is None or not _names_the_api(response, 502, FAILING):
        actual = _("no answer") if response is None else f"{response.status_code} {_body(response)}"
        raise CheckFailed(
            _("When one API fails, the route must fail too, with 502, and its detail must name that API. "
              "A 200 with part of the data hides the failure from the caller."),
            input=_("{label} answers 503", label=FAILING), expected='502 {"detail": "... news ..."}', actual=actual,
        )


async def reports_slow_api(ns: Namespace) -> None:
    """Fail unless an API that hangs makes the route answer 504 naming it, within timeout_s plus slack.

    Args:
        ns: The learner's objects.
    """
    response, elapsed_s = await _answer_when_one_fails(ns, hanging=True)
    bound_s = TIMEOUT_S + TIMEOUT_SLACK_S
    if response is not None and elapsed_s <= bound_s and _names_the_api(response, 504, HANGING):
        return
    if response is None:
        when = _("Your route had not answered after {bound} s.", bound=bound_s)
    else:
        when = _("Your route answered after {elapsed:.2f} s (at most {bound} s allowed).",
                 elapsed=elapsed_s, bound=bound_s)
    raise CheckFailed(
        _("An API that hangs must not hang your route: after timeout_s={timeout} s, answer 504 with a "
          "detail that names the API.", timeout=TIMEOUT_S) + " " + when,
        input=_("{label} hangs for {seconds} s", label=HANGING, seconds=HANG_S),
        expected='504 {"detail": "... stocks ..."}',
        actual=_("no answer") if response is None else f"{response.status_code} {_body(response)}",
    )


CHECKS: list[Check] = [
    Check(title="answers with all three results, each under its label", run=answers_all_three),
    Check(title="calls the three APIs concurrently", run=calls_concurrently),
    Check(title="answers 502 naming an API that fails", run=reports_failing_api),
    Check(title="answers 504 naming an API that is too slow, within timeout_s", run=reports_slow_api),
]
