"""Checks for the exercise "admission": ``admit(app, max_in_flight, max_wait_s)``, a limit and a queue-time budget.

The wrapped app is a fake whose requests wait until the check lets them go (``_held_app``). Every
check counts what reached it, how many at once and in which order; the only times are bounds
around the budget. The limit and the budget are drawn for each run.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from typing import Any

from perflab.checking.checks._held_app import AppError, Answer, HeldApp, call, run_lifespan
from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.i18n import _

__all__ = ["CHECKS"]

LIMITS = (2, 3, 4, 5)
# The budget of the timing check, drawn from this range. A wait that starts again at every wake-up ends
# 0.8 budgets late there, which must be more than LATE_S: so the budget is at least 0.5 s.
BUDGETS_S = (0.5, 0.8)
LONG_BUDGET_S = 3.0  # the budget where a check must not see a 503: its waits take well under a second
LATE_S = 0.3  # the task allows the 503 this much after the budget
EARLY = 0.8  # a 503 before this share of the budget is early: the solution answered 1-5 ms after it
SETTLE_S = 0.15  # requests reach the app, or their place in line, in a few ms; the check waits this long
WAITERS = 5  # requests that wait in line: a random order matches arrival order once in 120 runs


def _over_the_limit(limit: int, in_app: int, shown: str) -> CheckFailed:
    return CheckFailed(_("Not checked yet: more requests went into `app` than max_in_flight. Pass "
                         "“runs at most max_in_flight requests at once” first."), input=shown, expected=limit,
                       actual=in_app)


def _input(limit: int, budget_s: float) -> str:
    return f"admit(app, max_in_flight={limit}, max_wait_s={budget_s:g})"


def _wrap(ns: Namespace, app: HeldApp, limit: int, budget_s: float) -> Any:
    admit = ns.require("admit", "def admit(app, max_in_flight, max_wait_s)")
    wrapped = admit(app, limit, budget_s)
    if wrapped is None or not callable(wrapped):
        raise CheckFailed(_("`admit` must return an ASGI app: an async function of (scope, receive, send)."),
                          input=_input(limit, budget_s), expected="async def guarded(scope, receive, send)",
                          actual=repr(wrapped))
    return wrapped


@contextlib.asynccontextmanager
async def _requests(wrapped: Any) -> AsyncIterator[dict[str, asyncio.Task[Answer]]]:
    """Yield a dict to start requests in (name -> task); cancel whatever is left at the end."""
    tasks: dict[str, asyncio.Task[Answer]] = {}
    try:
        yield tasks
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)


async def _start(tasks: dict[str, asyncio.Task[Answer]], wrapped: Any, *names: str) -> None:
    for name in names:  # one after another, so their arrival order is known
        tasks[name] = asyncio.create_task(call(wrapped, f"/hold/{name}"))
        await asyncio.sleep(0.01)
    await asyncio.sleep(SETTLE_S)


async def _answer(task: asyncio.Task[Answer], bound_s: float, input_text: str) -> Answer:
    try:
        return await asyncio.wait_for(asyncio.shield(task), bound_s)
    except asyncio.TimeoutError:
        raise CheckFailed(_("A request got no answer within {seconds:g} s.", seconds=bound_s), input=input_text,
                          expected=_("an answer"), actual=_("no answer")) from None


async def passes_through(ns: Namespace) -> None:
    """Fail unless an answer and the lifespan pass through the wrapper unchanged."""
    app, limit = HeldApp(), random.choice(LIMITS)
    wrapped = _wrap(ns, app, limit, LONG_BUDGET_S)
    sent = await run_lifespan(wrapped, timeout_s=2)
    if app.lifespan != ["startup", "shutdown"] or sent[-2:] != ["lifespan.startup.complete",
                                                               "lifespan.shutdown.complete"]:
        raise CheckFailed(_("The lifespan messages must go straight to `app`, and its answers straight back."),
                          input=_input(limit, LONG_BUDGET_S), expected="startup, shutdown", actual=sent)
    app.release("echo")
    answer = await _answer(asyncio.ensure_future(call(wrapped, "/echo/echo")), 2, _input(limit, LONG_BUDGET_S))
    if answer.status != 200 or answer.headers.get("x-request") != "echo" or answer.json() != {"request": "echo"}:
        raise CheckFailed(_("A request with a free slot must get `app`'s own answer, unchanged."),
                          input="GET /echo/echo", expected='200 {"request": "echo"}',
                          actual=f"{answer.status} {answer.body[:80]!r}")


async def keeps_the_limit(ns: Namespace) -> None:
    """Fail unless exactly ``limit`` requests run at once, the rest wait, and the lifespan passes meanwhile."""
    app, limit = HeldApp(), random.choice(LIMITS)
    wrapped, names = _wrap(ns, app, limit, LONG_BUDGET_S), [str(i) for i in range(limit + WAITERS)]
    async with _requests(wrapped) as tasks:
        await _start(tasks, wrapped, *names)
        at_once = app.in_flight
        if at_once != limit:
            raise CheckFailed(_("With {sent} requests at once, exactly max_in_flight of them must be inside `app`.",
                                sent=len(names)), input=_input(limit, LONG_BUDGET_S), expected=limit, actual=at_once)
        try:
            await run_lifespan(wrapped, timeout_s=1)
        except asyncio.TimeoutError:
            raise CheckFailed(_("The lifespan waited for a slot: only HTTP requests may be counted."),
                              input=_input(limit, LONG_BUDGET_S), expected=_("startup at once"),
                              actual=_("no answer")) from None
        app.release(*names)
        answers = [await _answer(tasks[name], 2, _input(limit, LONG_BUDGET_S)) for name in names]
    if app.peak != limit or any(a.status != 200 for a in answers):
        raise CheckFailed(_("Every request must get in once a slot is free, never more than max_in_flight at once."),
                          input=_input(limit, LONG_BUDGET_S), expected=f"peak {limit}, 200 × {len(names)}",
                          actual=f"peak {app.peak}, {[a.status for a in answers]}")


async def keeps_arrival_order(ns: Namespace) -> None:
    """Fail unless each freed slot goes at once to the request that has waited longest."""
    app, limit = HeldApp(), random.choice(LIMITS)
    wrapped = _wrap(ns, app, limit, LONG_BUDGET_S)
    running, waiting = [f"r{i}" for i in range(limit)], [f"w{i}" for i in range(WAITERS)]
    async with _requests(wrapped) as tasks:
        await _start(tasks, wrapped, *running)
        await _start(tasks, wrapped, *waiting)
        if any(name.startswith("w") for name in app.entered):
            app.release(*running, *waiting)
            raise _over_the_limit(limit, app.in_flight, _input(limit, LONG_BUDGET_S))
        newcomers = await _free_slots_one_by_one(app, wrapped, tasks, running[:WAITERS] + waiting[: WAITERS - limit])
        app.release(*running, *waiting, *newcomers)
    got = [name for name in app.entered if name[0] in "wn"][:WAITERS]
    if got != waiting:
        raise CheckFailed(_("Waiting requests must get the freed slots in the order they arrived."),
                          input=_input(limit, LONG_BUDGET_S), expected=waiting, actual=got)


async def _free_slots_one_by_one(app: HeldApp, wrapped: Any, tasks: dict[str, asyncio.Task[Answer]],
                                 names: list[str]) -> list[str]:
    """Release ``names`` one at a time, each followed closely by a newcomer; return the newcomers' names."""
    newcomers = []
    for k, name in enumerate(names):
        app.release(name)
        await asyncio.sleep(0.005)  # a newcomer just after a slot frees must not jump the line
        newcomers.append(f"n{k}")
        tasks[newcomers[-1]] = asyncio.create_task(call(wrapped, f"/hold/n{k}"))
        await asyncio.sleep(random.uniform(0.1, 0.2))  # irregular gaps: no polling rhythm can line up with them
    return newcomers


async def keeps_the_budget(ns: Namespace) -> None:
    """Fail unless a request that waits the whole budget gets a 503 with Retry-After then, and never reaches app."""
    app, limit, budget_s = HeldApp(), random.choice(LIMITS), round(random.uniform(*BUDGETS_S), 2)
    wrapped, shown = _wrap(ns, app, limit, budget_s), _input(limit, budget_s)
    running, ahead = [f"r{i}" for i in range(limit)], ["ahead1", "ahead2"]
    async with _requests(wrapped) as tasks:
        await _start(tasks, wrapped, *running)
        for name in (*ahead, "turned_away"):
            tasks[name] = asyncio.create_task(call(wrapped, f"/hold/{name}"))
            await asyncio.sleep(0.01)
        # Two slots free while turned_away waits. Each goes to a request ahead of it in line, well
        # within that request's budget, and neither may start turned_away's clock again.
        for freed, share in zip(running, (0.45, 0.35)):
            await asyncio.sleep(share * budget_s)
            app.release(freed)
        await asyncio.sleep(SETTLE_S)
        if "turned_away" in app.entered:
            app.release(*running, *ahead, "turned_away")
            raise _over_the_limit(limit, app.in_flight, shown)
        answer = await _answer(tasks["turned_away"], budget_s + LATE_S + 1, shown)
        app.release(*running, *ahead, "turned_away")
    if not set(ahead) <= set(app.entered):
        raise CheckFailed(_("A slot freed halfway through the wait must go to the waiting request, not a 503."),
                          input=shown, expected=_("the request reaches `app`"), actual=_("it never did"))
    _check_turned_away(answer, app, budget_s, shown)


def _check_turned_away(answer: Answer, app: HeldApp, budget_s: float, shown: str) -> None:
    if "turned_away" in app.entered or answer.status != 503:
        raise CheckFailed(_("A request that waited max_wait_s without a slot must get 503, without reaching `app`."),
                          input=shown, expected=503, actual=answer.status)
    if not EARLY * budget_s <= answer.after_s <= budget_s + LATE_S:
        raise CheckFailed(_("The 503 must come when the budget is spent: after max_wait_s, within {late:g} s.",
                            late=LATE_S), input=shown, expected=f"{budget_s:g}–{budget_s + LATE_S:g} s",
                          actual=f"{answer.after_s:.2f} s")
    detail = answer.json()
    if answer.headers.get("retry-after") != "1" or not isinstance(detail, dict) or "detail" not in detail:
        raise CheckFailed(_('The 503 must carry the header Retry-After: 1 and a JSON body {"detail": ...}.'),
                          input=shown, expected='Retry-After: 1, {"detail": "..."}',
                          actual=f"{answer.headers}, {answer.body[:80]!r}")


async def never_times_a_started_request(ns: Namespace) -> None:
    """Fail unless a request inside app runs to its end, though it takes longer than the budget."""
    app, budget_s = HeldApp(), round(random.uniform(*BUDGETS_S), 2)
    wrapped = _wrap(ns, app, 1, budget_s)
    async with _requests(wrapped) as tasks:
        await _start(tasks, wrapped, "long")
        await asyncio.sleep(budget_s + 0.2)
        app.release("long")
        answer = await _answer(tasks["long"], 2, _input(1, budget_s))
    if answer.status != 200 or app.cancelled:
        raise CheckFailed(_("A request that got its slot must not be timed: it runs to its end."),
                          input=_input(1, budget_s), expected=200,
                          actual=_("cancelled inside `app`") if app.cancelled else answer.status)


async def gives_slots_back(ns: Namespace) -> None:
    """Fail unless the slots of requests that raised or were cancelled are free again, and the errors pass."""
    app, limit = HeldApp(), random.choice(LIMITS)
    wrapped, shown = _wrap(ns, app, limit, LONG_BUDGET_S), _input(limit, LONG_BUDGET_S)
    for i in range(limit):
        try:
            await asyncio.wait_for(call(wrapped, f"/raise/e{i}"), 2)
        except AppError:
            continue
        except asyncio.TimeoutError:
            raise CheckFailed(_("A request to a route that raises got no answer."), input=shown,
                              expected="AppError", actual=_("no answer")) from None
        raise CheckFailed(_("When `app` raises, the exception must reach the server."), input=shown,
                          expected="AppError", actual=_("no exception"))
    async with _requests(wrapped) as tasks:
        await _start(tasks, wrapped, *(f"gone{i}" for i in range(limit)))
        for name in list(tasks):
            tasks.pop(name).cancel()  # the clients went away
        await asyncio.sleep(SETTLE_S)
        await _start(tasks, wrapped, *(f"new{i}" for i in range(limit + 1)))
        at_once = app.in_flight
        app.release(*(f"new{i}" for i in range(limit + 1)))
    if at_once > limit:
        raise _over_the_limit(limit, at_once, shown)
    if at_once != limit:
        raise CheckFailed(_("After requests that raised or were cancelled, all max_in_flight slots must be free."),
                          input=shown, expected=limit, actual=at_once)


async def one_limit_per_wrap(ns: Namespace) -> None:
    """Fail unless two wrapped apps each have max_in_flight slots of their own."""
    first, second, limit = HeldApp(), HeldApp(), random.choice(LIMITS)
    wrapped = [_wrap(ns, app, limit, LONG_BUDGET_S) for app in (first, second)]
    async with _requests(wrapped[0]) as tasks:
        await _start(tasks, wrapped[0], *(f"a{i}" for i in range(limit + 1)))
        await _start(tasks, wrapped[1], *(f"b{i}" for i in range(limit)))
        at_once, first_in = second.in_flight, first.in_flight
        first.release(*(f"a{i}" for i in range(limit + 1)))
        second.release(*(f"b{i}" for i in range(limit)))
    if first_in > limit:
        raise _over_the_limit(limit, first_in, _input(limit, LONG_BUDGET_S))
    if at_once != limit:
        raise CheckFailed(_("Each call to `admit` must have slots of its own: the second app waited for the first."),
                          input=_input(limit, LONG_BUDGET_S) + " × 2", expected=limit, actual=at_once)


CHECKS: list[Check] = [
    Check(title="passes answers and the lifespan through", run=passes_through),
    Check(title="runs at most max_in_flight requests at once, and uses them all", run=keeps_the_limit),
    Check(title="gives freed slots to waiting requests in arrival order", run=keeps_arrival_order),
    Check(title="answers 503 with Retry-After when the wait runs out", run=keeps_the_budget),
    Check(title="never times out a request that has started", run=never_times_a_started_request),
    Check(title="gives slots back after errors and cancellations", run=gives_slots_back),
    Check(title="gives each wrapped app slots of its own", run=one_limit_per_wrap),
]
