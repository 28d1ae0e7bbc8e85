from __future__ import annotations

import pickle

from perflab.lab.workloads import size_for, sum_of_squares


def test_sum_of_squares_is_right() -> None:
    assert sum_of_squares(4) == 0 + 1 + 4 + 9


def test_size_for_scales_with_the_target() -> None:
    # The largest of three calls each: a busy moment only ever makes a probe slower, and so a size
    # smaller (once, with the judge's tests beside it, 7.7x instead of 4x).
    small, large = (max(size_for(target_s) for _i in range(3)) for target_s in (0.02, 0.08))
    assert 2.5 < large / small < 6  # about 4x; timing noise gets a wide margin


def test_the_workload_pickles_for_a_process_pool() -> None:
    assert pickle.loads(pickle.dumps(sum_of_squares)) is sum_of_squares
