"""Robust timing: warm-ups, repetitions, medians, and A/B comparisons run alternately."""

from __future__ import annotations

import inspect
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from perflab.i18n import _, number
from perflab.progress import progress_bar
from perflab.render import table_html, table_text

__all__ = ["Comparison", "Timing", "compare", "measure_once", "timeit_async"]

Timed = Callable[[], Any] | Callable[[], Awaitable[Any]]


async def measure_once(fn: Timed) -> float:
    """Call ``fn`` once (awaiting it if it is async) and return the seconds it took.

    Args:
        fn: A function of no arguments, sync or async.
    """
    start = time.perf_counter()
    result = fn()
    if inspect.isawaitable(result):
        await result
    return time.perf_counter() - start


@dataclass(frozen=True)
class Timing:
    """Repeated measurements of one thing, summarised by their median."""

    label: str
    samples_s: tuple[float, ...]

    @property
    def median_s(self) -> float:
        """The median duration in seconds: robust to the odd slow run."""
        return statistics.median(self.samples_s)

    @property
    def min_s(self) -> float:
        """The fastest run in seconds."""
        return min(self.samples_s)

    @property
    def max_s(self) -> float:
        """The slowest run in seconds."""
        return max(self.samples_s)

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        headers = [_("what"), _("runs"), _("median, ms"), _("min, ms"), _("max, ms")]
        row = [self.label, len(self.samples_s)] + [number(v * 1000, ".2f") for v in (self.median_s, self.min_s, self.max_s)]
        return headers, [row]

    def __str__(self) -> str:
        return table_text(*self._rows())

    def _repr_html_(self) -> str:
        return table_html(*self._rows())


@dataclass(frozen=True)
class Comparison:
    """A against B, measured alternately in one run; ``ratio`` is how many times faster B is."""

    a: Timing
    b: Timing

    @property
    def ratio(self) -> float:
        """The ratio of the medians, A/B: above 1 means B is faster than A."""
        return self.a.median_s / self.b.median_s if self.b.median_s > 0 else float("inf")

    def summary(self) -> str:
        """One sentence that states the ratio in the learner's language."""
        if self.ratio >= 1:
            return _("{b} is {ratio:.2f}× faster than {a}", a=self.a.label, b=self.b.label, ratio=self.ratio)
        return _("{b} is {ratio:.2f}× slower than {a}", a=self.a.label, b=self.b.label, ratio=1 / self.ratio)

    def _rows(self) -> tuple[list[str], list[list[str]]]:
        headers, a_rows = self.a._rows()
        return headers, a_rows + self.b._rows()[1]

    def __str__(self) -> str:
        return table_text(*self._rows(), title=self.summary())

    def _repr_html_(self) -> str:
        return table_html(*self._rows(), title=self.summary())

    def plot(self) -> Any:
        """Return a bar chart of both medians, labelled with the ratio."""
        from perflab.plots.charts import ratio_chart

        medians_ms = [self.a.median_s * 1000, self.b.median_s * 1000]
        return ratio_chart([self.a.label, self.b.label], medians_ms, unit="ms", title=self.summary())


async def timeit_async(fn: Timed, repeat: int = 7, warmup: int = 1, label: str = "") -> Timing:
    """Time ``fn`` ``repeat`` times after ``warmup`` untimed calls, with ``perf_counter``.

    Usage:
        timing = await timeit_async(lambda: client.get("/"), repeat=9)
        timing.median_s

    Args:
        fn: A function of no arguments, sync or async (a coroutine function is awaited).
        repeat: How many timed runs. Defaults to 7.
        warmup: How many untimed runs first, to fill caches and pools (at least one). Defaults to 1.
        label: A name for the table and plots. Defaults to the function's name.
    """
    first = [await measure_once(fn) for _i in range(max(warmup, 1))]
    samples: list[float] = []
    with progress_bar(repeat, first[-1] * repeat, desc=label or _label_of(fn, "A")) as bar:
        for _i in range(repeat):
            samples.append(await measure_once(fn))
            bar.update()
    return Timing(label or _label_of(fn, "A"), tuple(samples))


async def compare(
    a: Timed, b: Timed, repeat: int = 7, warmup: int = 1, labels: tuple[str, str] | None = None
) -> Comparison:
    """Time A and B alternately (A, B, A, B, …) so that noise hits both alike, and compare them.

    Args:
        a: The baseline: a function of no arguments, sync or async.
        b: The alternative, timed the same way.
        repeat: How many timed runs of each. Defaults to 7.
        warmup: Untimed runs of each before timing (at least one). Defaults to 1.
        labels: Names for A and B. Defaults to the functions' names.
    """
    for _i in range(max(warmup, 1)):
        expected_s = (await measure_once(a) + await measure_once(b)) * repeat
    label_a, label_b = labels or (_label_of(a, "A"), _label_of(b, "B"))
    pairs: list[tuple[float, float]] = []
    with progress_bar(repeat, expected_s, desc=f"{label_a} / {label_b}") as bar:
        for _i in range(repeat):
            pairs.append((await measure_once(a), await measure_once(b)))
            bar.update()
    return Comparison(Timing(label_a, tuple(p[0] for p in pairs)), Timing(label_b, tuple(p[1] for p in pairs)))


def _label_of(fn: Timed, fallback: str) -> str:
    name = getattr(fn, "__name__", "") or type(fn).__name__
    return fallback if name == "<lambda>" else name
