"""A fake Redis with a network's timing: a round trip per command, and commands that reach the server together.

``accept_once``'s checks give each app a client of one fake server. An Idempotency-Key that is read,
then written, is a race only when other requests can run in between, as they do over a network.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import fakeredis
from redis.asyncio.client import Pipeline

__all__ = ["Meeting", "RoundTripRedis"]

ROUND_TRIP_S = 0.02  # each answer waits for the next tick of this clock, in every app alike, as a network round
# trip lets other requests run: a GET, then a SET of an Idempotency-Key is a race that shows. Without it the fake
# answered at once, and a GET-then-SET passed. 6-10 POSTs sent at once fall in one or two ticks. The command runs
# first, as on a server: a write whose caller is cancelled while it waits for the answer still lands.


MEET_WITHIN_S = 0.5  # how long a command waits for the others of its meeting before it goes alone


class Meeting:
    """Makes commands from several apps reach the server together, as requests sent at one moment do.

    While it is open, each command waits until ``parties`` commands have come, or ``MEET_WITHIN_S``.
    Two apps that each read a key, then write it, then both read it before either writes.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()  # the apps run on loops of their own, in threads of their own
        self.parties = 0
        self.arrived = 0
        self.generation = 0

    def open(self, parties: int) -> None:
        """Make commands meet in groups of ``parties``; 0 lets each go at once.

        Args:
            parties: The group's size.
        """
        with self.lock:
            self.parties, self.arrived, self.generation = parties, 0, self.generation + 1

    async def meet(self) -> None:
        """Wait for the rest of this command's group, or for ``MEET_WITHIN_S``."""
        with self.lock:
            if self.parties < 2:
                return
            generation, self.arrived = self.generation, self.arrived + 1
            if self.arrived >= self.parties:
                self.arrived, self.generation = 0, generation + 1
                return
        deadline = time.monotonic() + MEET_WITHIN_S
        while time.monotonic() < deadline:
            await asyncio.sleep(0.001)
            with self.lock:
                if self.generation != generation:
                    return
        with self.lock:
            if self.generation == generation:
                self.arrived -= 1  # it goes alone


async def _round_trip() -> None:
    await asyncio.sleep(ROUND_TRIP_S - time.monotonic() % ROUND_TRIP_S)


class _RoundTripPipeline(Pipeline):
    """A pipeline of :class:`RoundTripRedis`: its commands, and each command in WATCH mode, meet and wait too."""

    meeting: Meeting

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        await self.meeting.meet()
        answer = await super().execute(raise_on_error)
        await _round_trip()
        return answer

    async def immediate_execute_command(self, *args: Any, **options: Any) -> Any:
        await self.meeting.meet()
        answer = await super().immediate_execute_command(*args, **options)
        await _round_trip()
        return answer


class RoundTripRedis(fakeredis.FakeAsyncRedis):
    """A fake Redis whose every command waits for the next tick of a shared clock, as a round trip would."""

    def __init__(self, *args: Any, meeting: Meeting | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.meeting = meeting or Meeting()

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        await self.meeting.meet()
        answer = await super().execute_command(*args, **options)
        await _round_trip()  # the server did it; the answer is on its way back
        return answer

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        pipe = _RoundTripPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint)
        pipe.meeting = self.meeting
        return pipe
