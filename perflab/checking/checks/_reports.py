"""The fakes of ``accept_once``'s checks: a shared fake Redis, and a ``make_report`` per app that counts.

Every app a check serves gets its own client of one fake Redis server, as two processes would, and
its own ``make_report``. The fake counts each call and each report that finished. A check can hold
an app's reports (they do not finish until released) and kill an app: its reports never finish,
and its Redis connection is cut until the server is gone.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import fakeredis

from perflab.checking.checks._round_trip_redis import Meeting, RoundTripRedis

__all__ = ["Reports", "close_reports", "cut_store", "hold_app", "kill_app", "meet_apps", "open_reports", "release_app",
           "report_counts", "report_maker", "slow_app", "store_for"]

_TICK_S = 0.005  # how often a held report looks whether it may go on


@dataclass
class Reports:
    """What the reports of one check did: every call and every finished report, by app."""

    seconds: float
    rng: random.Random
    server: fakeredis.FakeServer = field(default_factory=fakeredis.FakeServer)
    meeting: Meeting = field(default_factory=Meeting)
    lock: threading.Lock = field(default_factory=threading.Lock)
    held: set[str] = field(default_factory=set)
    slow: dict[str, float] = field(default_factory=dict)  # an app's reports take this long instead
    dead: set[str] = field(default_factory=set)
    calls: list[tuple[str, int]] = field(default_factory=list)  # (app, user_id)
    finished: list[tuple[str, int, dict[str, Any]]] = field(default_factory=list)  # (app, user_id, result)

    async def make(self, app: str, user_id: int) -> dict[str, Any]:
        """Make one report for ``app``: wait while it is held, never finish once it is dead."""
        with self.lock:
            self.calls.append((app, user_id))
            result = {"user_id": user_id, "call": len(self.calls), "rows": self.rng.randrange(1, 10_000)}
        await asyncio.sleep(self.slow.get(app, self.seconds))
        while app in self.held or app in self.dead:
            await asyncio.sleep(_TICK_S)  # a dead app's report is cancelled with its server, or waits forever
        with self.lock:
            self.finished.append((app, user_id, result))
        return result


_open: dict[str, Reports] = {}


def open_reports(token: str, seconds: float, seed: int) -> None:
    """Start the fakes of one check, named ``token``.

    Args:
        token: Names them.
        seconds: How long a report takes.
        seed: Draws the reports' contents.
    """
    _open[token] = Reports(seconds, random.Random(seed))


def store_for(token: str) -> Any:
    """Return a new client of the fake Redis named ``token``, as one app's process would have.

    Args:
        token: The fakes' name.
    """
    return RoundTripRedis(server=_open[token].server, decode_responses=True, meeting=_open[token].meeting)


def report_maker(token: str, app: str) -> Callable[[int], Awaitable[dict[str, Any]]]:
    """Return the ``make_report`` that the app named ``app`` gets: an ``async def`` of one argument.

    Args:
        token: The fakes' name.
        app: The app's name in the check, e.g. ``"A"``.
    """
    fake = _open[token]

    async def make_report(user_id: int) -> dict[str, Any]:
        return await fake.make(app, user_id)

    return make_report


def hold_app(token: str, app: str) -> None:
    """Keep the reports of ``app`` from finishing until :func:`release_app`.

    Args:
        token: The fakes' name.
        app: The app's name.
    """
    with _open[token].lock:
        _open[token].held.add(app)


def meet_apps(token: str, parties: int) -> None:
    """From now on, each Redis command waits until ``parties`` commands have come (0: no waiting).

    Args:
        token: The fakes' name.
        parties: How many commands meet, e.g. one from each of two apps.
    """
    _open[token].meeting.open(parties)


def slow_app(token: str, app: str, seconds: float) -> None:
    """Make the reports of ``app`` take ``seconds`` from now on.

    Args:
        token: The fakes' name.
        app: The app's name.
        seconds: How long each report takes.
    """
    with _open[token].lock:
        _open[token].slow[app] = seconds


def release_app(token: str, app: str) -> None:
    """Let the reports of ``app`` finish.

    Args:
        token: The fakes' name.
        app: The app's name.
    """
    with _open[token].lock:
        _open[token].held.discard(app)


def kill_app(token: str, app: str) -> None:
    """Kill ``app``'s work: its reports never finish, and every Redis connection is cut until :func:`cut_store`.

    Args:
        token: The fakes' name.
        app: The app's name.
    """
    fake = _open[token]
    with fake.lock:
        fake.dead.add(app)
    fake.server.connected = False


def cut_store(token: str, cut: bool) -> None:
    """Cut every connection to the fake Redis named ``token``, or join them again.

    Args:
        token: The fakes' name.
        cut: True to cut, False to join.
    """
    _open[token].server.connected = not cut


def report_counts(token: str) -> dict[str, Any]:
    """Return the calls and the finished reports of the fakes named ``token``.

    Args:
        token: The fakes' name.
    """
    fake = _open[token]
    with fake.lock:
        return {"calls": list(fake.calls), "finished": list(fake.finished)}


def close_reports(token: str) -> None:
    """Forget the fakes named ``token``; a report of a dead app still waiting stays dead.

    Args:
        token: The fakes' name.
    """
    _open.pop(token, None)
