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


def size_for(target_s: float, probe_n: int = 200_000, probes: int = 3) -> int:
    """Return the ``n`` for which ``sum_of_squares(n)`` takes about ``target_s`` on this machine, undisturbed.

    The fastest of a few timed probes counts: other work on the machine only ever makes a probe slower.

    Args:
        target_s: The wanted duration in seconds.
        probe_n: The size of each timed probe run. Defaults to 200,000.
        probes: How many probes to time. Defaults to 3.
    """
    sum_of_squares(probe_n)  # warm-up
    durations_s = []
    for _probe in range(probes):
        start = time.perf_counter()
        sum_of_squares(probe_n)
        durations_s.append(time.perf_counter() - start)
    return max(1, int(target_s * probe_n / min(durations_s)))
