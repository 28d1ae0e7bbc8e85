"""JupyterLab in Chromium for the browser test: a lab server on 127.0.0.1 over a scratch copy of the notebooks."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "browser"  # screenshots, kept after the run (see .gitignore)

# JupyterLab's own calls home, switched off: nothing talks to the internet, and no toast covers the notebook.
_SETTINGS = {"@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"}}


def chromium_path() -> str:
    """Return Debian's Chromium, which Playwright drives (it cannot download its own browsers here).

    Outside CI a machine without it skips the browser test; with ``CI`` set it fails instead.
    """
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed: .ci/run installs it (apt.txt)")
        pytest.skip("chromium is not installed (apt install chromium)")
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class Lab:
    """A running JupyterLab: its address, its token and the folder it serves.

    Args:
        url: ``http://127.0.0.1:PORT``.
        token: The login token.
        root: The folder it serves.
    """

    url: str
    token: str
    root: Path

    def notebook_url(self, relative: str) -> str:
        """Return the address that opens ``relative`` in JupyterLab.

        Args:
            relative: The notebook's path under ``root``.
        """
        return f"{self.url}/lab/tree/{relative}?token={self.token}"

    def wait_for_idle_kernel(self, timeout_s: float = 60.0) -> None:
        """Wait until a notebook's kernel has started and is idle (the page's own indicator says idle earlier).

        Args:
            timeout_s: How long to wait.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{self.url}/api/sessions?token={self.token}", timeout=5) as answer:
                if any(s["kernel"]["execution_state"] == "idle" for s in json.load(answer)):
                    return
            time.sleep(0.3)
        raise RuntimeError(f"no idle kernel within {timeout_s:g} s")


def _wait_until_up(url: str, token: str, proc: subprocess.Popen[bytes], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterLab ended with status {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as answer:
                json.load(answer)
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer within {timeout_s:g} s")


@contextmanager
def jupyter_lab(root: Path, scratch: Path) -> Iterator[Lab]:
    """Run JupyterLab on 127.0.0.1 over ``root``, with its settings and runtime files in ``scratch``.

    Args:
        root: The folder it serves.
        scratch: Where its configuration, settings and runtime files go.
    """
    settings = scratch / "lab-settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(_SETTINGS), encoding="utf-8")
    port, token = _free_port(), "perflab-browser-test"
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(scratch / "config"), "JUPYTER_RUNTIME_DIR": str(scratch / "run"),
           "JUPYTERLAB_SETTINGS_DIR": str(scratch / "user-settings"), "JUPYTERLAB_WORKSPACES_DIR": str(scratch / "ws")}
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               f"--LabServerApp.app_settings_dir={settings}", "--LabApp.news_url=", "--allow-root"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, token, proc)
        yield Lab(url, token, root)
    finally:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
