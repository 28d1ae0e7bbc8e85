from __future__ import annotations

import asyncio

import anyio

from perflab.i18n import use_language
from perflab.lab.timing import Timing, compare, timeit_async


async def _sleep_10ms() -> None:
    await asyncio.sleep(0.01)


async def _sleep_30ms() -> None:
    await asyncio.sleep(0.03)


def test_timeit_counts_repeats_and_skips_warmup() -> None:
    calls: list[int] = []

    def work() -> None:
        calls.append(1)

    timing = anyio.run(lambda: timeit_async(work, repeat=5, warmup=2))
    assert len(timing.samples_s) == 5 and len(calls) == 7
    assert timing.min_s <= timing.median_s <= timing.max_s


def test_compare_alternates_a_and_b() -> None:
    order: list[str] = []
    anyio.run(lambda: compare(lambda: order.append("a"), lambda: order.append("b"), repeat=3, warmup=1))
    assert order == ["a", "b"] * 4


def test_compare_ratio_sees_a_threefold_difference() -> None:
    result = anyio.run(lambda: compare(_sleep_30ms, _sleep_10ms, repeat=5))
    # Sleep ratios are stable; the margin absorbs a noisy machine.
    assert 2.0 < result.ratio < 3.5
    assert "_sleep_10ms" in result.summary() and "faster" in result.summary()


def test_timing_renders_as_text_and_html() -> None:
    timing = Timing("demo", (0.001, 0.002, 0.003))
    assert "2.00" in str(timing) and "<table" in timing._repr_html_()


def test_summary_is_translated() -> None:
    result = anyio.run(lambda: compare(_sleep_30ms, _sleep_10ms, repeat=3))
    use_language("ru")
    assert "быстрее" in result.summary()
