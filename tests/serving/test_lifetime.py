"""Tests for perflab.serving.lifetime: children die with their parent, and nothing they leave outlives a check."""

from __future__ import annotations

import signal
import sys

import pytest

from perflab.serving import lifetime


def test_process_one_of_a_namespace_reaps_by_signal_not_by_psutil(monkeypatch: pytest.MonkeyPatch) -> None:
    # In a PID namespace /proc can be the host's, so psutil's "children" would be the host's processes.
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(lifetime.os, "kill", lambda pid, sig: sent.append((pid, sig)))  # first: never the real kill(-1)
    monkeypatch.setattr(lifetime.os, "getpid", lambda: 1)
    monkeypatch.setitem(sys.modules, "psutil", None)  # importing it would raise ImportError
    lifetime.reap_descendants(pid_namespace=True, wait_s=0)
    assert sent == [(-1, signal.SIGKILL)]


def test_a_worker_that_is_not_process_one_never_signals_everything(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[tuple[int, int]] = []
    monkeypatch.setattr(lifetime.os, "kill", lambda pid, sig: sent.append((pid, sig)))  # recorded, never sent
    lifetime.reap_descendants(pid_namespace=True, wait_s=0)  # told it is in a namespace, but it is not process 1
    assert (-1, signal.SIGKILL) not in sent
