"""Open loop: requests sent when they are due, whatever the server does, each timed from when it was due.

A closed loop (``concurrency``) waits for an answer before it sends the next request, so a
server that stalls also stalls the load, and the stall is seen once per connection instead of
once per request that users would have sent: coordinated omission. This module sends at a fixed
arrival rate, evenly spaced or as a Poisson process, like wrk2, k6's constant-arrival-rate
executor and vegeta, and measures each request from the moment it was due. A request that is
due while every connection is busy opens a new one, up to ``OPEN_LOOP_CONNECTIONS``; beyond that
it waits for a free one, and the wait counts.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from perflab.load.http_clients import Sender, SenderFactory
from perflab.load.recorder import Recorder

__all__ = ["ARRIVALS", "OPEN_LOOP_CONNECTIONS", "Schedule", "open_loop"]

ARRIVALS = ("uniform", "poisson")
OPEN_LOOP_CONNECTIONS = 512  # enough for a 1 s stall at a few hundred requests per second


@dataclass(frozen=True)
class Schedule:
    """When requests are due: ``rate`` per second, evenly spaced or Poisson, for a time or a count."""

    rate: float
    arrivals: str = "uniform"
    duration_s: float | None = None
    requests: int | None = None

    def due_s(self) -> Iterator[float]:
        """Yield each request's due time, in seconds from the start, until the duration or count is reached."""
        rng = random.Random()
        due, sent = 0.0, 0
        end_s = self.duration_s if self.duration_s is not None else math.inf
        while due < end_s and (self.requests is None or sent < self.requests):
            yield due
            sent += 1
            due += rng.expovariate(self.rate) if self.arrivals == "poisson" else 1.0 / self.rate


class _Connections:
    """Idle connections to reuse, new ones up to a cap, then a queue of requests waiting for one."""

    def __init__(self, make: SenderFactory, cap: int) -> None:
        self.make, self.cap, self.opened = make, cap, 0
        self.idle: list[Sender] = []
        self.waiting: deque[asyncio.Future[Sender]] = deque()

    async def take(self) -> Sender:
        if self.idle:
            return self.idle.pop()
        if self.opened < self.cap:
            self.opened += 1
            return self.make()
        waiter: asyncio.Future[Sender] = asyncio.get_running_loop().create_future()
        self.waiting.append(waiter)
        return await waiter

    def give(self, sender: Sender) -> None:
        while self.waiting:
            waiter = self.waiting.popleft()
            if not waiter.done():
                waiter.set_result(sender)
                return
        self.idle.append(sender)


async def _request(connections: _Connections, due: float, rec: Recorder) -> None:
    sender = await connections.take()
    try:
        status = await sender.send()
    except Exception as exc:  # every failure is data for the learner, not a crash
        rec.failure(due, exc)
        sender.reset()
    else:
        rec.response(due, status)
    finally:
        connections.give(sender)


async def open_loop(make: SenderFactory, cap: int, schedule: Schedule, rec: Recorder) -> None:
    """Send each request of ``schedule`` when it is due, and wait for the last answer.

    Args:
        make: Opens a new connection (a sender).
        cap: At most this many connections.
        schedule: When requests are due.
        rec: Records each request, timed from when it was due.
    """
    connections, in_flight = _Connections(make, cap), set()
    for offset_s in schedule.due_s():
        due = rec.t0 + offset_s
        wait_s = due - time.perf_counter()
        await asyncio.sleep(max(wait_s, 0.0))  # behind schedule: send at once, but let answers in
        task = asyncio.create_task(_request(connections, due, rec))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        rec.sent_s = time.perf_counter() - rec.t0
    await asyncio.gather(*in_flight)
    for sender in connections.idle:
        sender.reset()
