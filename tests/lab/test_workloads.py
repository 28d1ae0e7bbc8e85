from __future__ import annotations

import pickle

import pytest

from perflab.lab import workloads
from perflab.lab.workloads import size_for, sum_of_squares


def test_sum_of_squares_is_right() -> None:
    assert sum_of_squares(4) == 0 + 1 + 4 + 9


class _Clock:
    """A stand-in for the ``time`` module whose probes take the given durations, in turn."""

    def __init__(self, probe_durations_s: list[float]) -> None:
        self.durations, self.now, self.started = list(probe_durations_s), 0.0, False

    def perf_counter(self) -> float:
        if self.started:  # the end of a probe
            self.now += self.durations.pop(0)
        self.started = not self.started
        return self.now


def test_size_for_scales_with_the_target_from_the_fastest_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    # Timed on a clock that the test sets: a busy moment on the machine cannot change the answer.
    sizes = {}
    for target_s in (0.25, 1.0):  # binary fractions, so the arithmetic is exact
        monkeypatch.setattr(workloads, "time", _Clock([0.375, 0.125, 0.25]))  # the fastest probe is the second
        sizes[target_s] = size_for(target_s, probe_n=1000)
    assert sizes == {0.25: 2000, 1.0: 8000}


def test_the_workload_pickles_for_a_process_pool() -> None:
    assert pickle.loads(pickle.dumps(sum_of_squares)) is sum_of_squares
