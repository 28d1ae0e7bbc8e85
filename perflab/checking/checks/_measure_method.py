"""The json_speed check of ``compare_with_jsonresponse()``: does it measure, and measure the right way?

It swaps in two apps whose ratio is known by construction, both ways round, where the learner's
function reads ``app`` and ``baseline``, and counts the calls they get: how many, in what order,
through how many clients. One call of the fast app is an outlier that only a median ignores.
"""

from __future__ import annotations

import itertools
import math
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi.responses import Response

from perflab.checking.remote.stubs import globals_of
from perflab.checking.engine import CheckFailed, Namespace
from perflab.i18n import _, ngettext
from perflab.lab.fakes import quiet_app

__all__ = ["MIN_MOVE", "agrees_with_own_comparison"]

PATH = "/items"
# The learner's own measurement is tried on a pair whose ratio is known by construction, both ways
# round. Comparing it with the check's own ratio on the learner's app failed: a busy machine skews
# wall-clock time (the solution's own ratio ranged 0.52-7.0 against 1.6-2.4 in CPU time).
# The slow app spins for this long on each call: CPU work that lasts at least this much wall time, whatever
# the load (a size calibrated by timing once came out small on a busy machine, and one run of 50 flipped).
# An in-process call of the fast app takes about 0.3 ms here: the known ratio is 60 or more. With 10 ms
# (ratio 30) the solution once returned under MIN_MOVE in a CI class-grading run: with four processes on two
# cores, most fast calls were preempted for several ms each. Now a fast median needs 10 ms to fail.
CONTROL_WORK_S = 0.02

CONTROL_REPEAT = (9, 13)  # the repeat the learner's function is given, drawn per run

MIN_MOVE = 2.0  # the learner's ratio must pass 2 (and 1/2 the other way) where the known ratio is 60 or more

# One call of the fast app (its 7th, past any usual warm-up) does 0.35 s of work: a median ignores it,
# but a mean of 9-13 calls (27 ms or more) then puts the fast app behind the slow one (20 ms).
OUTLIER_CALL, OUTLIER_S = 7, 0.35

MAX_WARMUP = 10  # untimed calls allowed on top of `repeat`

MAX_STARTUPS = 2  # lifespan start-ups per app: one client each (a second for a warm-up client)



def _spin(seconds: float) -> None:
    """Keep the CPU busy for ``seconds`` of wall time: a CPU-time clock and a wall clock both see the work."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


class _Control:
    """An app whose GET /items answers ``[]`` after CPU work (wall time alike), logging each call and start-up.

    Args:
        name: Its name in the shared log.
        log: Where each call appends ``name``, in order, across both apps of a pair.
        work_s: How long each call spins.
        outlier_s: How long call number OUTLIER_CALL spins instead. Defaults to ``work_s``.
    """

    def __init__(self, name: str, log: list[str], work_s: float, outlier_s: float | None = None) -> None:
        self.name, self.log, self.work_s, self.startups = name, log, work_s, 0
        self.outlier_s = work_s if outlier_s is None else outlier_s
        self.app = quiet_app(lifespan=self._lifespan)
        self.app.add_api_route(PATH, self._items, methods=["GET"])

    @asynccontextmanager
    async def _lifespan(self, _app: Any) -> AsyncIterator[None]:
        self.startups += 1
        yield

    async def _items(self) -> Response:
        self.log.append(self.name)
        _spin(self.outlier_s if self.log.count(self.name) == OUTLIER_CALL else self.work_s)
        return Response(b"[]", media_type="application/json")



async def _measured_with(measure: Callable[..., Awaitable[Any]], scope: dict[str, Any], app: Any,
                         baseline: Any, repeat: int) -> Any:
    """Run the learner's measurement with ``app`` and ``baseline`` swapped in where it reads them, then put them back."""
    saved = scope["app"], scope["baseline"]
    scope["app"], scope["baseline"] = app, baseline
    try:
        return await measure(repeat=repeat)
    finally:
        scope["app"], scope["baseline"] = saved



def _method_problem(log: list[str], controls: list[_Control], repeat: int) -> str:
    """Return what the call log shows is wrong with how the learner measured, or an empty string."""
    counts = [log.count(c.name) for c in controls]
    switches = sum(a != b for a, b in zip(log, log[1:]))
    if not all(repeat <= n <= repeat + MAX_WARMUP for n in counts):
        return _("Asked for repeat={repeat}, it called the two apps this many times: {counts}. Time `repeat` calls "
                 "of each, after a few untimed ones.", repeat=repeat, counts=counts)
    if switches < repeat:
        longest = max(len(list(run)) for _name, run in itertools.groupby(log))
        return ngettext("It called one app {n} time in a row: call the two alternately, so that noise hits both alike.",
                        "It called one app {n} times in a row: call the two alternately, so that noise hits both alike.",
                        longest)
    if any(c.startups > MAX_STARTUPS for c in controls):
        return _("It opened a client for every call, and timed that too: open one client per app before timing.")
    return ""



async def agrees_with_own_comparison(ns: Namespace) -> None:
    """Fail unless compare_with_jsonresponse() measures a known pair right: each way round, medians, alternately.

    The check swaps in two apps whose ratio is known by construction, both ways round, and counts
    the calls they get, instead of comparing the learner's noisy wall-clock ratio with its own.

    Args:
        ns: The learner's objects.
    """
    measure = ns.require("compare_with_jsonresponse", "async def compare_with_jsonresponse() -> float")
    scope = globals_of(measure)
    if not hasattr(type(scope), "__setitem__") or "app" not in scope or "baseline" not in scope:
        raise CheckFailed(_("compare_with_jsonresponse() must time the `app` and `baseline` defined next to it."),
                          expected="app, baseline", actual=repr(measure))
    ratios: dict[str, float] = {}
    for case in random.sample(["faster", "slower"], 2):
        log: list[str] = []
        fast, slow = _Control("fast", log, 0.0, OUTLIER_S), _Control("slow", log, CONTROL_WORK_S)
        pair = (fast, slow) if case == "faster" else (slow, fast)
        repeat = random.randint(*CONTROL_REPEAT)
        value = await _measured_with(measure, scope, pair[0].app, pair[1].app, repeat)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
            raise CheckFailed(_("compare_with_jsonresponse() must return the speed-up as a positive number."),
                              expected=_("a float such as 2.1"), actual=repr(value))
        problem, ratios[case] = _method_problem(log, [fast, slow], repeat), float(value)
        if problem:
            raise CheckFailed(problem, input=_("`app` and `baseline` swapped for a fast and a slow app"))
    if not (ratios["faster"] >= MIN_MOVE and ratios["slower"] <= 1 / MIN_MOVE):
        raise CheckFailed(
            _("compare_with_jsonresponse() did not follow a known difference. With `app` about 60× faster than "
              "`baseline` it returned {faster:.2f}, and with `app` about 60× slower {slower:.2f}. Time GET /items "
              "on `baseline` and on `app` alternately, take the medians (one slow call must not count), and "
              "divide the baseline's by the app's.", faster=ratios["faster"], slower=ratios["slower"]),
            input=_("`app` and `baseline` swapped for a fast and a slow app, both ways round"),
            expected=f"≥ {MIN_MOVE:g}, ≤ {1 / MIN_MOVE:g}", actual=f"{ratios['faster']:.2f}, {ratios['slower']:.2f}")

