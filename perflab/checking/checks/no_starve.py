"""Checks for ``no_starve``: thumbnails after the response, in threads, ``max_at_once`` at a time.

The check hands ``create_app`` a fake ``make_thumbnail`` that counts, where the learner's code runs,
how many thumbnails are in progress at every moment and whether a call came on an event loop.
The app runs on a real in-kernel server: an in-process client would wait for the background tasks.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import statistics
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx

from perflab.checking.checks._inprocess import build_app, where_learner_runs
from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.i18n import _, ngettext
from perflab.serving.kernel import serve

__all__ = ["CHECKS", "Thumbnails", "close_thumbnails", "open_thumbnails", "thumbnail_counts"]

SIGNATURE = "def create_app(make_thumbnail, max_at_once) -> FastAPI"
LIMITS = ((3, 5), (6, 9))  # two bursts, one limit drawn from each range: an answer that ignores it fits one at most
PHOTOS_PER_LIMIT = (3, 4)  # a burst uploads this many times the limit, drawn: a queue that a right answer fills
SECONDS = (0.12, 0.16)  # each thumbnail; a burst lasts 3-4 rounds of this, about 0.5 s
SLOW_SHARE = 0.5  # /profile may take this share of one thumbnail. Measured: 2-6 ms with the solution and a core
# busy, a whole thumbnail or more with a task that blocks the event loop.
SINGLE_S = 0.3  # the single upload: long enough that a route that waits for its thumbnail shows


@dataclass
class Thumbnails:
    """A fake ``make_thumbnail``: sleeps ``seconds`` in its thread and counts what happens."""

    seconds: float
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_progress: int = 0
    peak: int = 0
    on_loop: int = 0
    done: list[int] = field(default_factory=list)

    def __call__(self, photo_id: int) -> None:
        on_loop = _event_loop_runs_here()
        with self.lock:
            self.in_progress += 1
            self.peak = max(self.peak, self.in_progress)
            self.on_loop += on_loop
        try:
            time.sleep(self.seconds)  # holds the thread, as image work does
        finally:
            with self.lock:
                self.in_progress -= 1
                self.done.append(photo_id)


def _event_loop_runs_here() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


_open: dict[str, Thumbnails] = {}


def open_thumbnails(token: str, seconds: float) -> Thumbnails:
    """Make a fake ``make_thumbnail`` that :func:`thumbnail_counts` reads by ``token``.

    Args:
        token: Names this fake.
        seconds: How long each thumbnail takes.
    """
    _open[token] = Thumbnails(seconds)
    return _open[token]


def thumbnail_counts(token: str) -> dict[str, Any]:
    """Return what the fake named ``token`` counted so far.

    Args:
        token: The fake's name.
    """
    fake = _open[token]
    with fake.lock:
        return {"done": list(fake.done), "peak": fake.peak, "on_loop": fake.on_loop, "in_progress": fake.in_progress}


def close_thumbnails(token: str) -> None:
    """Forget the fake named ``token``.

    Args:
        token: The fake's name.
    """
    _open.pop(token, None)


@dataclass
class Burst:
    """One burst of uploads: what was asked, what was answered, and what the fake counted."""

    limit: int
    photos: list[int]
    seconds: float
    statuses: list[int]
    profile_s: list[float]
    counts: dict[str, Any]


async def _wait_done(ns: Namespace, token: str, expected: int, bound_s: float) -> dict[str, Any]:
    deadline = time.perf_counter() + bound_s
    while True:
        counts = await where_learner_runs(ns, thumbnail_counts, token)
        if len(counts["done"]) >= expected and counts["in_progress"] == 0 or time.perf_counter() > deadline:
            return counts
        await asyncio.sleep(0.05)


async def _timed_get(client: httpx.AsyncClient, url: str) -> float:
    started = time.perf_counter()
    response = await client.get(url)
    return time.perf_counter() - started if response.status_code == 200 else float("inf")


async def _burst(ns: Namespace, limit: int, photos: int, seconds: float) -> Burst:
    """Upload ``photos`` photos at once to an app with ``max_at_once=limit``; time /profile meanwhile."""
    token = secrets.token_hex(8)
    make = await where_learner_runs(ns, open_thumbnails, token, seconds)
    ids = random.sample(range(1000, 100_000), photos)
    try:
        server = serve(build_app(ns, "create_app", SIGNATURE, make, limit), name="check-no-starve", log_level="critical")
        with server:
            async with httpx.AsyncClient(base_url=server.url, timeout=30,
                                         limits=httpx.Limits(max_connections=photos + 5)) as client:
                answers = await asyncio.gather(*(client.post(f"/photos/{i}") for i in ids))
                profile_s = list(await asyncio.gather(*(_timed_get(client, "/profile") for _ in range(3))))
                bound_s = 3 * photos * seconds / limit + 5  # three times the ideal, and a margin for a busy machine
                counts = await _wait_done(ns, token, photos, bound_s)
    finally:
        await where_learner_runs(ns, close_thumbnails, token)
    return Burst(limit, ids, seconds, [a.status_code for a in answers], profile_s, counts)


_bursts: dict[int, list[Burst]] = {}


async def _two_bursts(ns: Namespace) -> list[Burst]:
    """Run the two bursts once per check run, and share them between the checks that read them."""
    if id(ns) not in _bursts:
        _bursts.clear()
        limits = [random.randint(*bounds) for bounds in LIMITS]
        _bursts[id(ns)] = [await _burst(ns, limit, limit * random.randint(*PHOTOS_PER_LIMIT) + random.randrange(limit),
                                        random.uniform(*SECONDS)) for limit in limits]
    return _bursts[id(ns)]


def _shown(burst: Burst) -> str:
    return ngettext("{n} photo uploaded at once, max_at_once={limit}", "{n} photos uploaded at once, max_at_once={limit}",
                    len(burst.photos), limit=burst.limit)


async def accepts_at_once(ns: Namespace) -> None:
    token, photo = secrets.token_hex(8), random.randrange(1000, 100_000)
    make = await where_learner_runs(ns, open_thumbnails, token, SINGLE_S)
    try:
        with serve(build_app(ns, "create_app", SIGNATURE, make, 2), name="check-no-starve", log_level="critical") as server:
            async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
                response = await client.post(f"/photos/{photo}")
                done_then = (await where_learner_runs(ns, thumbnail_counts, token))["done"]
                counts = await _wait_done(ns, token, 1, SINGLE_S + 3)
    finally:
        await where_learner_runs(ns, close_thumbnails, token)
    shown = f"POST /photos/{photo}"
    body = response.json() if response.headers.get("content-type", "").startswith("application/json") else response.text
    if response.status_code != 202 or body != {"photo_id": photo}:
        raise CheckFailed(_("POST {path} must answer 202 with the photo's id, as the stub does.", path="/photos/{photo_id}"),
                          input=shown, expected=f'202 {{"photo_id": {photo}}}', actual=f"{response.status_code} {body}")
    if done_then:
        raise CheckFailed(_("The response came only after the thumbnail was made: make it after the response."),
                          input=shown, expected=_("202 first, then the thumbnail"), actual=_("the thumbnail first"))
    if counts["done"] != [photo]:
        raise CheckFailed(_("The thumbnail of the uploaded photo was not made exactly once."),
                          input=shown, expected=f"make_thumbnail({photo})", actual=str(counts["done"]))


async def every_thumbnail_once(ns: Namespace) -> None:
    for burst in await _two_bursts(ns):
        if any(status != 202 for status in burst.statuses):
            raise CheckFailed(_("Every upload of a burst must be answered 202."), input=_shown(burst),
                              expected="202", actual=str(Counter(burst.statuses)))
        made = Counter(burst.counts["done"])
        missing = [p for p in burst.photos if made[p] == 0]
        twice = sorted(p for p, n in made.items() if n > 1)
        if missing or twice or len(made) != len(burst.photos):
            raise CheckFailed(_("Every uploaded photo must get its thumbnail exactly once."), input=_shown(burst),
                              expected=_("each photo once"),
                              actual=_("never made: {missing}; made more than once: {twice}",
                                       missing=missing[:5] or "-", twice=twice[:5] or "-"))
        if burst.counts["on_loop"]:
            raise CheckFailed(_("make_thumbnail ran on the event loop, which it blocks while it works. "
                                "Run it in a thread."), input=_shown(burst), expected=_("in a thread"),
                              actual=ngettext("{n} call on the event loop", "{n} calls on the event loop",
                                              burst.counts["on_loop"]))


async def max_at_once(ns: Namespace) -> None:
    for burst in await _two_bursts(ns):
        peak = burst.counts["peak"]
        if peak > burst.limit:
            raise CheckFailed(_("More thumbnails were made at once than max_at_once allows: they take threads "
                                "the routes need."), input=_shown(burst), expected=f"max_at_once = {burst.limit}",
                              actual=_("{peak} at once", peak=peak))
        if peak < burst.limit:  # exact: the burst queues far more photos than the limit, so a right answer reaches it
            raise CheckFailed(_("Fewer thumbnails were made at once than max_at_once allows, while more were "
                                "waiting: the burst takes longer than it must."), input=_shown(burst),
                              expected=f"max_at_once = {burst.limit}", actual=_("{peak} at once", peak=peak))


async def profile_answers(ns: Namespace) -> None:
    for burst in await _two_bursts(ns):
        took_s = statistics.median(burst.profile_s)
        if took_s > SLOW_SHARE * burst.seconds:
            raise CheckFailed(_("GET /profile waited while thumbnails were being made. A def route needs a thread "
                                "of the pool, and nothing may block the event loop."), input=_shown(burst),
                              expected=_("under {ms:.0f} ms", ms=1000 * SLOW_SHARE * burst.seconds),
                              actual=f"{1000 * took_s:.0f} ms")


CHECKS = [
    Check("answers 202 at once, and makes the thumbnail after the response", accepts_at_once),
    Check("makes every thumbnail once, in a thread", every_thumbnail_once, timeout_s=40.0),
    Check("makes max_at_once thumbnails at a time, no more and no fewer", max_at_once, timeout_s=40.0),
    Check("keeps GET /profile answering during a burst", profile_answers, timeout_s=40.0),
]
