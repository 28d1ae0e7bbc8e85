"""Checks for the exercise "bounded_fanout": ``fetch_all(client, urls, limit)``, concurrent but ``limit`` at a time.

The checks serve fake APIs on one in-kernel server that a run's checks share, and call ``fetch_all``
with their own HTTP client. Requests in flight are counted at the fake API; speed is a ratio.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import random
import ssl
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI

from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.checking.checks._shared import SharedServer, same_json
from perflab.lab.fakes import FakeAPI, quiet_app
from perflab.i18n import _, ngettext

__all__ = ["CHECKS", "MIN_SHARE"]

LATENCY_MS = 40.0  # each call to the steady API; 20 calls, 5 at a time, take four rounds: 160 ms
# The answers of the shuffled API arrive in random order: 2 to 27 ms, seeded, so it repeats.
SHUFFLED_MS, SHUFFLED_JITTER_MS = 2.0, 25.0
# Item ids that are neither sorted nor contiguous, so sorting the bodies does not restore the order.
IDS = random.Random(2026).sample(range(100, 1000), 20)
ORDER_N, ORDER_LIMIT = 12, 4
LIMIT_N, LIMIT_LIMIT = 12, 3  # not 5: a semaphore hard-coded to the next check's limit shows
SPEED_N, SPEED_LIMIT = 20, 5
SPEED_RUNS = 2  # fetch_all runs twice and the better run counts: one hiccup costs no verdict
FAIL_N, FAIL_LIMIT = 12, 4  # limit + 1 of the URLs, drawn per run, answer 503
# How many requests the fake API has in flight on average, as a share of `limit`. One request at a
# time can never reach 1, whatever the load; a wall-clock speedup over a single call did not hold
# up: with five test runs sharing 2 cores (load average 5-8), right answers fell to 1.9 of 5.
MIN_SHARE = 0.3
WINDOW_LIMITS = (3, 4)  # the limit of the sliding-window check, drawn per run; it fetches 4 x limit URLs
HOLD_S = 1.0  # the held request's bound: released by the others in a few ms, or by this
WINDOW_LATENCY_S = 0.01  # each other item's latency at the window API: enough for requests to overlap
BOUND_S = 3.0  # fetch_all takes well under 1 s here; past this, it waits for something that never comes

# The fakes speak plain HTTP on loopback: a context with no CA certificates saves each client
# the 30-50 ms of loading them, and would refuse any HTTPS server.
_PLAIN_HTTP = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)

_STEADY = FakeAPI("items", LATENCY_MS)
_SHUFFLED = FakeAPI("items", SHUFFLED_MS, jitter_ms=SHUFFLED_JITTER_MS, seed=7)
_DOWN = FakeAPI("items", LATENCY_MS, failure_rate=1.0)


class _Window:
    """A fake API where one item, the held one, answers only once every other item of its run has answered.

    A sliding window fetches the others through its free slots meanwhile, so the held item is
    released by them, every time: a count, not a time. Batches and fixed stripes wait for the
    held item before they send the rest, so it is released only by the HOLD_S bound.
    """

    def __init__(self) -> None:
        self.runs: dict[str, dict[str, Any]] = {}  # token -> {"held", "total", "done", "event", "released_by_others"}
        self.app = quiet_app()
        self.app.add_api_route("/{token}/items/{item_id}", self._item, methods=["GET"])

    def start(self, token: str, held: int, total: int) -> None:
        """Prepare a run: ``held`` waits for the other ``total - 1`` items."""
        self.runs[token] = {"held": held, "total": total, "done": 0, "done_at_release": 0, "event": None,
                            "released_by_others": False, "in_flight": 0, "peak": 0}

    async def _item(self, token: str, item_id: int) -> dict[str, Any]:
        run = self.runs[token]
        run["in_flight"] += 1  # a schedule that ignores the held request overflows: the peak shows it
        run["peak"] = max(run["peak"], run["in_flight"])
        try:
            return await self._answer(run, item_id)
        finally:
            run["in_flight"] -= 1

    async def _answer(self, run: dict[str, Any], item_id: int) -> dict[str, Any]:
        run["event"] = run["event"] or asyncio.Event()  # made on the server's own loop
        if item_id == run["held"]:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(run["event"].wait(), HOLD_S)
            run["released_by_others"], run["done_at_release"] = run["event"].is_set(), run["done"]
        else:
            await asyncio.sleep(WINDOW_LATENCY_S)  # requests sent together overlap here, so they are counted together
            run["done"] += 1
            if run["done"] == run["total"] - 1:
                run["event"].set()
        return _body(item_id)


_WINDOW = _Window()


def _fake_root() -> FastAPI:
    """Return one app that serves the fake APIs, each under its own path."""
    root = quiet_app()
    for path, api in (("/steady", _STEADY), ("/shuffled", _SHUFFLED), ("/down", _DOWN)):
        root.mount(path, api.app)
    root.mount("/window", _WINDOW.app)
    return root


# Starting and stopping a server costs more than most checks: the four checks of a run share one.
_FAKES = SharedServer("perflab-check-bounded-fanout", _fake_root)


@asynccontextmanager
async def _client(last: bool = False) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    """Yield the fake APIs' base URL and a client to hand to ``fetch_all``.

    Args:
        last: Whether this is the run's last check, so the fakes stop at once. Defaults to False.
    """
    with _FAKES.running(last) as server:
        # A pool far above any limit here: only the learner's code may hold requests back.
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=100)
        async with httpx.AsyncClient(timeout=BOUND_S, limits=limits, verify=_PLAIN_HTTP,
                                     trust_env=False) as client:
            yield server.url, client


def _urls(base: str, path: str, n: int) -> list[str]:
    return [f"{base}/{path}/items/{item_id}" for item_id in IDS[:n]]


def _body(item_id: int) -> dict[str, Any]:
    return {"api": "items", "item_id": item_id, "value": item_id * 10}


def _input(n: int, limit: int) -> str:
    return ngettext("{n} URL, limit={limit}", "{n} URLs, limit={limit}", n, limit=limit)


def _described(bodies: Any) -> str:
    """Return the item ids of a list of bodies (the type of anything else in it), or the repr of a non-list.

    Args:
        bodies: What ``fetch_all`` returned.
    """
    if not isinstance(bodies, list) or not any(isinstance(b, dict) and "item_id" in b for b in bodies):
        return repr(bodies)
    ids = [str(b["item_id"]) if isinstance(b, dict) and "item_id" in b else type(b).__name__ for b in bodies]
    return _("the bodies of items {ids}", ids="[" + ", ".join(ids) + "]")


async def _fetch_all(ns: Namespace, client: httpx.AsyncClient, urls: list[str], limit: int) -> Any:
    """Await the learner's ``fetch_all(client, urls, limit)`` for at most BOUND_S and return its result.

    Args:
        ns: The learner's objects.
        client: The client to pass on.
        urls: The URLs to fetch.
        limit: How many requests may be in flight at once.
    """
    fetch_all = ns.require("fetch_all", "async def fetch_all(client, urls, limit)")
    pending = fetch_all(client, list(urls), limit)
    if not inspect.isawaitable(pending):
        raise CheckFailed(_("`fetch_all` must be a coroutine function: define it with async def."),
                          expected="async def fetch_all(client, urls, limit)", actual=repr(pending))
    try:
        return await asyncio.wait_for(pending, BOUND_S)
    except asyncio.TimeoutError:
        raise CheckFailed(
            _("fetch_all had not returned after {seconds:g} s, though it needs well under a second here. "
              "Look for a task or worker that waits for something that never comes.", seconds=BOUND_S),
            input=_input(len(urls), limit), expected=_("a result or an exception"), actual=_("no answer"),
        ) from None


async def returns_in_order(ns: Namespace) -> None:
    """Fail unless fetch_all returns each URL's JSON body, in the order of ``urls``, fetching each once.

    Args:
        ns: The learner's objects.
    """
    for ids in (random.sample(IDS, ORDER_N), random.sample(IDS, ORDER_N - 3)):  # two calls: no state between them
        await _returns_in_order_once(ns, ids)


async def _returns_in_order_once(ns: Namespace, ids: list[int]) -> None:
    _SHUFFLED.stats.reset()
    async with _client() as (base, client):
        result = await _fetch_all(ns, client, [f"{base}/shuffled/items/{item_id}" for item_id in ids], ORDER_LIMIT)
    expected = [_body(item_id) for item_id in ids]
    if not same_json(result, expected):
        shown = _described(result)
        raise CheckFailed(
            _("fetch_all must return a list with one JSON body per URL, in the same order as `urls`, "
              "whatever order the answers arrive in."),
            input=_input(len(ids), ORDER_LIMIT) + "; " + _("the answers arrive in random order"),
            expected=_described(expected), actual=shown if shown != _described(expected) else repr(result),
        )
    if _SHUFFLED.stats.calls != len(ids):
        raise CheckFailed(_("fetch_all must request each URL exactly once."), input=_input(len(ids), ORDER_LIMIT),
                          expected=ngettext("{n} request", "{n} requests", len(ids)),
                          actual=ngettext("{n} request", "{n} requests", _SHUFFLED.stats.calls))


async def stays_within_limit(ns: Namespace) -> None:
    """Fail if the fake API ever sees more than ``limit`` of fetch_all's requests at once.

    Args:
        ns: The learner's objects.
    """
    _STEADY.stats.reset()
    async with _client() as (base, client):
        await _fetch_all(ns, client, _urls(base, "steady", LIMIT_N), LIMIT_LIMIT)
    _require_within(_STEADY.stats.peak_in_flight, LIMIT_LIMIT, _input(LIMIT_N, LIMIT_LIMIT))


def _require_within(peak: int, limit: int, where: str) -> None:  # fail if the API saw more than limit at once
    if peak > limit:
        raise CheckFailed(
            _("The fake API saw up to {peak} of your requests at once, but limit={limit}. Every request must wait "
              "for one of the same `limit` slots: create one semaphore (or one set of workers) for the "
              "whole call, before any request starts.", peak=peak, limit=limit),
            input=where, expected=_("at most {n} at once", n=limit), actual=_("{n} at once", n=peak),
        )


async def _average_in_flight(ns: Namespace, client: httpx.AsyncClient, urls: list[str]) -> float:
    """Return how many requests the steady API had in flight, on average, while ``fetch_all`` ran.

    Args:
        ns: The learner's objects.
        client: The client to pass on.
        urls: The URLs to fetch.
    """
    _STEADY.stats.reset()
    start = time.perf_counter()
    await _fetch_all(ns, client, urls, SPEED_LIMIT)
    return _STEADY.stats.in_flight_s / (time.perf_counter() - start)


async def uses_whole_limit(ns: Namespace) -> None:
    """Fail unless fetch_all keeps about ``limit`` requests in flight, on average, until the URLs run out.

    Args:
        ns: The learner's objects.
    """
    async with _client() as (base, client):
        urls = _urls(base, "steady", SPEED_N)
        # Open `limit` connections first, so the timed runs measure requests, not connecting.
        await asyncio.gather(*(client.get(url) for url in urls[:SPEED_LIMIT]))
        runs = [await _average_in_flight(ns, client, urls) for _i in range(SPEED_RUNS)]
        peak = _STEADY.stats.peak_in_flight
    average, minimum = max(runs), MIN_SHARE * SPEED_LIMIT
    where = _input(SPEED_N, SPEED_LIMIT) + "; " + _("{ms:.0f} ms each", ms=LATENCY_MS)
    if peak < SPEED_LIMIT:
        raise CheckFailed(
            _("The fake API saw at most {peak} of your requests at once, though the limit is {limit}. "
              "Keep limit requests in flight until the URLs run out.", peak=peak, limit=SPEED_LIMIT),
            input=where, expected=_("{n} at once", n=SPEED_LIMIT), actual=_("{n} at once", n=peak),
        )
    if average < minimum:
        raise CheckFailed(
            _("The fake API had only {average:.1f} of your requests in flight on average; with limit={limit}, "
              "it can have that many nearly all the time. Start the next request as soon as one finishes, not "
              "when a whole batch is done.", average=average, limit=SPEED_LIMIT),
            input=where, expected=_("≥ {n:.1f} on average", n=minimum), actual=f"{average:.1f}",
        )


async def slides_the_window(ns: Namespace) -> None:
    """Fail unless a slow request holds only its own slot: the other URLs go through the free ones meanwhile.

    Args:
        ns: The learner's objects.
    """
    limit = random.choice(WINDOW_LIMITS)
    count, token = limit * 4, uuid.uuid4().hex
    held_at = random.randrange(limit)  # among the first `limit`: in the first batch, and leading a stripe
    _WINDOW.start(token, IDS[held_at], count)
    async with _client() as (base, client):
        await _fetch_all(ns, client, [f"{base}/window/{token}/items/{i}" for i in IDS[:count]], limit)
    run = _WINDOW.runs.pop(token)
    where = _input(count, limit) + "; " + _("urls[{index}] answers only after all the others", index=held_at)
    _require_within(run["peak"], limit, where)  # paced rounds, say, start more while the slow one is held
    if not run["released_by_others"]:
        raise CheckFailed(
            _("While one slow request held its slot, the other URLs were fetched only in part ({done} of "
              "{others}): the free slots waited for it. Start the next URL as soon as any slot frees up, not "
              "when a whole batch (or a fixed share of the URLs) is done.", done=run["done_at_release"],
              others=count - 1),
            input=where, expected=_("URLs fetched meanwhile: {n}", n=count - 1),
            actual=_("URLs fetched meanwhile: {n}", n=run["done_at_release"]))


async def raises_on_failure(ns: Namespace) -> None:
    """Fail unless fetch_all raises when one of the URLs answers 503, instead of returning.

    Args:
        ns: The learner's objects.
    """
    async with _client(last=True) as (base, client):
        urls, down = _urls(base, "steady", FAIL_N), _urls(base, "down", FAIL_N)
        failing = sorted(random.sample(range(FAIL_N), FAIL_LIMIT + 1))  # more than `limit` fail: no slot is lost
        for index in failing:
            urls[index] = down[index]
        try:
            result = await _fetch_all(ns, client, urls, FAIL_LIMIT)
        except CheckFailed:
            raise
        except Exception:  # any exception, an ExceptionGroup from a TaskGroup too, tells the caller
            return
    raise CheckFailed(
        _("Some URLs answered 503, but fetch_all returned instead of raising. Call "
          "`response.raise_for_status()` and let the exception through: a list with a hole in it "
          "hides the failure from the caller."),
        input=_input(FAIL_N, FAIL_LIMIT) + "; " + _("the URLs at {indices} answer 503", indices=failing),
        expected=_("an exception, such as httpx.HTTPStatusError"),
        actual=_("returned {value}", value=_described(result)),
    )


CHECKS: list[Check] = [
    Check(title="returns every body in order", run=returns_in_order),
    Check(title="never exceeds the limit", run=stays_within_limit),
    Check(title="uses the whole limit", run=uses_whole_limit),
    Check(title="a slow request holds only its own slot", run=slides_the_window),
    Check(title="raises when the upstream fails", run=raises_on_failure),
]
