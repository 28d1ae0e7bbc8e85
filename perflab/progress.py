"""Progress bars for anything that runs longer than about two seconds."""

from __future__ import annotations

from typing import Any

from tqdm.auto import tqdm

__all__ = ["SHOW_AFTER_S", "progress_bar"]

SHOW_AFTER_S = 2.0
# tqdm's monitor thread would outlive every cell; the course must leave no thread behind.
tqdm.monitor_interval = 0


class _Silent:
    """Stands in for a bar when the work is too short to need one."""

    def update(self, n: float = 1) -> None:
        return None

    def close(self) -> None:
        return None

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def progress_bar(total: float, expected_s: float, desc: str = "", unit: str = "it") -> Any:
    """Return a tqdm bar when ``expected_s`` exceeds two seconds, else a silent stand-in.

    Args:
        total: The count the bar fills up to.
        expected_s: How long the work is expected to take.
        desc: The label shown before the bar. Defaults to none.
        unit: The unit of ``total``. Defaults to "it".
    """
    if expected_s <= SHOW_AFTER_S:
        return _Silent()
    return tqdm(total=total, desc=desc, unit=unit, leave=False)
