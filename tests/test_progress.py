from __future__ import annotations

import threading

from perflab.progress import progress_bar


def test_short_work_gets_no_bar() -> None:
    assert type(progress_bar(10, expected_s=0.5)).__name__ == "_Silent"


def test_long_work_gets_a_bar_and_leaves_no_thread() -> None:
    before = set(threading.enumerate())
    with progress_bar(3, expected_s=10) as bar:
        bar.update(3)
    assert hasattr(bar, "n") and bar.n == 3
    assert set(threading.enumerate()) <= before
