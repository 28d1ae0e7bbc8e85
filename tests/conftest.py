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


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups into the test ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Put every test that keeps a core busy in one xdist group, so that two never run at once."""
    for item in items:
        if "busy_core" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("busy_core"))


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
    """Keep one core busy with a spinning process: the noise the 50-run exercise tests must withstand."""
    if getattr(request.config.option, "loadgroup", False):  # make test: two spinners at once would be noise unmeasured
        assert request.node.nodeid.endswith("@busy_core"), "xdist did not group the busy-core tests (pytest-xdist#1386)"
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    yield
    spinner.kill()
    spinner.wait()
