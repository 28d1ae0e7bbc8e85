"""Shared fixtures: every test starts in English and leaves no server behind."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import perflab.i18n
import perflab.serving.kernel

ROOT = Path(__file__).resolve().parent.parent


# Seconds a notebook test takes on the 2-core CI machine (ci28): xdist hands out tests in collection order,
# so the longest go first (and the busy-core group), and the run does not end with one worker idle while the other runs a long one.
_NOTEBOOK_SECONDS = {"en+bn/01_": 156, "en+bn/05_": 108, "en+bn/06_": 100, "en+bn/02_": 75, "ru/01_": 80,
                     "test_browser": 70, "en+en/00_": 61, "test_postgresql": 61, "keys_alone[06_": 60, "en+bn/04_": 56,
                     "ru/05_": 54, "ru/06_": 50, "ru/02_": 42, "ru/04_": 34}


def _seconds(item: pytest.Item) -> int:
    if "busy_core" in getattr(item, "fixturenames", ()):
        return 100  # the busy-core group runs on one worker, about 5 min in all: it starts first
    return max((s for key, s in _NOTEBOOK_SECONDS.items() if key in item.nodeid), default=0)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups into the test ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Group the tests that keep a core busy, so that two never run at once; put the longest tests first."""
    for item in items:
        if "busy_core" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("busy_core"))
    items.sort(key=lambda item: -_seconds(item))  # stable: the rest keep their order


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print every claim the notebooks recorded, with its value (tests/test_notebook_execution.py)."""
    lines = [line for report in terminalreporter.getreports("passed") + terminalreporter.getreports("failed")
             if report.when == "call" for name, value in report.user_properties if name == "claims" for line in value]
    if lines:
        terminalreporter.section("claims")
        for line in sorted(lines):
            terminalreporter.line(line)


@pytest.fixture(autouse=True)
def english_and_no_leftover_servers() -> Iterator[None]:
    """Reset the language to English, and fail a test that leaves an in-kernel server running."""
    perflab.i18n.use_language("en")
    yield
    leftover = perflab.serving.kernel.running_servers()
    perflab.serving.kernel.stop_all()
    perflab.i18n.use_language("en")
    assert not leftover, f"test left servers running: {leftover}"


@pytest.fixture
def repo_root() -> Path:
    """The course repository."""
    return ROOT


@pytest.fixture
def busy_core(request: pytest.FixtureRequest) -> Iterator[None]:
    """Keep one core busy with a spinning process: the noise the many-run exercise tests must withstand."""
    if getattr(request.config.option, "loadgroup", False):  # make test: two spinners at once would be noise unmeasured
        assert request.node.nodeid.endswith("@busy_core"), "xdist did not group the busy-core tests (pytest-xdist#1386)"
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield
    spinner.kill()
    spinner.wait()
