"""The fake ``make_thumbnail`` of ``no_starve``'s checks, which counts where the learner's code runs.

It counts thumbnails in progress at every moment, calls made on an event loop, and each photo made.
While its gate is shut, a started thumbnail holds its thread and waits, so that a check can ask for
``/profile`` while every started thumbnail holds a thread.
"""

from __future__ import annotations

import asyncio
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["GATE_S", "SPREAD", "Thumbnails", "busy_share", "close_thumbnails", "open_gate", "open_thumbnails",
           "thumbnail_counts"]

SPREAD = (0.25, 1.75)  # each thumbnail takes its burst's mean seconds times a factor drawn from this range
GATE_S = 1.0  # how long /profile may take while the thumbnails are held. A starved pool never answers; the
# solution answered in 35 ms at most (50 runs with a core busy).
HOLD_S = 30.0  # the longest a thumbnail waits at a shut gate, should a check never open it. It must outlast the
# uploads and the /profile window: a hold of GATE_S let the first thumbnails of a slow burst go before the
# window ended, and a starved stub then got its /profile answered (the CI machine, stop 19).


@dataclass
class Thumbnails:
    """A fake ``make_thumbnail``: sleeps in its thread, about ``seconds`` a call, and counts what happens.

    While its gate is shut, a call holds its thread and waits, so that the check can ask for /profile
    while every thumbnail that started still holds its thread: then a starved pool has no thread to give.
    """

    seconds: float
    seed: int = 0
    gate: threading.Event = field(default_factory=threading.Event)
    opened_at: float = 0.0  # monotonic
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_progress: int = 0
    peak: int = 0
    on_loop: int = 0
    done: list[int] = field(default_factory=list)
    changes: list[tuple[float, int]] = field(default_factory=list)  # (monotonic time, in progress after it)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)

    def _note(self, step: int) -> None:
        self.in_progress += step
        self.peak = max(self.peak, self.in_progress)
        self.changes.append((time.monotonic(), self.in_progress))

    def __call__(self, photo_id: int) -> None:
        on_loop = _event_loop_runs_here()
        with self.lock:
            self._note(+1)
            self.on_loop += on_loop
            seconds = self.seconds * self.rng.uniform(*SPREAD)
        try:
            if not on_loop:  # on the event loop, a wait would stop the server too: that shows anyway
                self.gate.wait(HOLD_S)
            time.sleep(seconds)  # holds the thread, as image work does
        finally:
            with self.lock:
                self._note(-1)
                self.done.append(photo_id)


def _event_loop_runs_here() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


_open: dict[str, Thumbnails] = {}


def open_thumbnails(token: str, seconds: float, seed: int = 0, gated: bool = False) -> Thumbnails:
    """Make a fake ``make_thumbnail`` that :func:`thumbnail_counts` reads by ``token``.

    Args:
        token: Names this fake.
        seconds: How long a thumbnail takes on average.
        seed: Draws each thumbnail's time. Defaults to 0.
        gated: Start with the gate shut, until :func:`open_gate`. Defaults to False.
    """
    _open[token] = Thumbnails(seconds, seed)
    if not gated:
        open_gate(token)
    return _open[token]


def open_gate(token: str) -> None:
    """Let the thumbnails of the fake named ``token`` go on.

    Args:
        token: The fake's name.
    """
    fake = _open[token]
    with fake.lock:
        if not fake.gate.is_set():  # the first opening counts
            fake.opened_at = time.monotonic()
            fake.gate.set()


def thumbnail_counts(token: str) -> dict[str, Any]:
    """Return what the fake named ``token`` counted so far.

    Args:
        token: The fake's name.
    """
    fake = _open[token]
    with fake.lock:
        return {"done": list(fake.done), "peak": fake.peak, "on_loop": fake.on_loop, "in_progress": fake.in_progress,
                "changes": list(fake.changes), "opened_at": fake.opened_at}


def close_thumbnails(token: str) -> None:
    """Let the thumbnails of the fake named ``token`` go on, and forget it.

    Args:
        token: The fake's name.
    """
    if token in _open:
        open_gate(token)
    _open.pop(token, None)


def busy_share(changes: list[tuple[float, int]], limit: int, since: float) -> float:
    """Return the share of ``limit`` slots in use from ``since`` to the last start, while photos waited.

    Args:
        changes: (monotonic time, thumbnails in progress after it), in order.
        limit: max_at_once.
        since: When the thumbnails were let go on (the gate opened).
    """
    starts = [i for i, (_t, n) in enumerate(changes) if i == 0 or n > changes[i - 1][1]]
    end = changes[starts[-1]][0] if starts else since
    if end <= since:
        return 1.0
    used = 0.0
    for (moment, n), (after, _n) in zip(changes, changes[1: starts[-1] + 1]):  # a step function, clipped
        used += n * max(0.0, min(after, end) - max(moment, since))
    return used / (limit * (end - since))
