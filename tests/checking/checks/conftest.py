"""What the check tests share: learner code runs in this process, so whatever processes it starts end with the test."""

from __future__ import annotations

from collections.abc import Iterator

import psutil
import pytest


def _children() -> dict[int, psutil.Process]:
    return {p.pid: p for p in psutil.Process().children(recursive=True)}


@pytest.fixture(autouse=True)
def no_learner_process_outlives_the_test() -> Iterator[None]:
    """End the processes a known answer started (a process pool it never shuts down, say), after its test."""
    before = _children()
    yield
    for pid, child in _children().items():
        try:
            spinner = "while True: pass" in " ".join(child.cmdline())  # conftest's busy_core ends its own
            if pid not in before and not spinner:
                child.kill()
                child.wait(5)
        except psutil.Error:
            pass
