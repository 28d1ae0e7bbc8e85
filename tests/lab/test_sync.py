from __future__ import annotations

import asyncio

import pytest

from perflab.lab.sync import run_coroutine


async def _answer() -> int:
    await asyncio.sleep(0)
    return 42


def test_runs_inside_a_running_loop() -> None:
    async def outer() -> int:
        return run_coroutine(_answer)

    assert asyncio.run(outer()) == 42


def test_errors_reach_the_caller() -> None:
    async def boom() -> None:
        raise KeyError("x")

    with pytest.raises(KeyError):
        run_coroutine(boom)


def test_a_hang_times_out() -> None:
    with pytest.raises(TimeoutError):
        run_coroutine(lambda: asyncio.sleep(5), timeout_s=0.2)
