"""CPU-bound work for lessons, importable so a process pool can pickle it (notebook functions cannot)."""

from __future__ import annotations

import time

__all__ = ["size_for", "sum_of_squares"]


def sum_of_squares(n: int) -> int:
    """Return the sum of i*i for i below ``n``: pure Python, so it holds the GIL the whole time.

    Args:
        n: How many numbers to square.
    """
    return sum(i * i for i in range(n))


def size_for(target_s: float, probe_n: int = 200_000) -> int:
    """Return the ``n`` for which ``sum_of_squares(n)`` takes about ``target_s`` on this machine.

    Args:
        target_s: The wanted duration in seconds.
        probe_n: The size of the timed probe run. Defaults to 200,000.
    """
    sum_of_squares(probe_n)  # warm-up
    start = time.perf_counter()
    sum_of_squares(probe_n)
    per_item_s = (time.perf_counter() - start) / probe_n
    return max(1, int(target_s / per_item_s))
