"""The home loop, and coroutines started on a loop from another thread only once the loop runs them."""

from __future__ import annotations

import asyncio
import threading

from perflab.checking.remote.home import HomeLoop, start_soon


def test_a_coroutine_started_soon_runs_on_the_loop() -> None:
    home = HomeLoop()
    loop = home.start()
    ran = threading.Event()

    async def work() -> None:
        ran.set()

    try:
        start_soon(loop, work)
        assert ran.wait(2)
    finally:
        home.stop()


def test_cancelled_before_its_loop_runs_it_the_coroutine_is_never_created() -> None:
    loop = asyncio.new_event_loop()
    made: list[str] = []

    async def work() -> None:
        pass

    def make():  # type: ignore[no-untyped-def]
        made.append("coroutine")
        return work()

    soon = start_soon(loop, make)
    soon.cancel()
    loop.run_until_complete(asyncio.sleep(0))  # the loop now runs the start, which does nothing
    loop.close()
    assert made == [] and soon.task is None
