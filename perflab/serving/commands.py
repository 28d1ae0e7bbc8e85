"""Serve an app with a server's own command line, ``uvicorn …`` or ``gunicorn …``, as production would.

Usage::

    srv = serve_command(["uvicorn", "perflab.lab.apps.ping:app", "--port", "{port}", "--workers", "2"])
    srv.workers()          # the worker pids, under uvicorn's or gunicorn's manager
    srv.kill_worker()      # SIGKILL one of them, to watch the manager replace it
    srv.stop()

``{port}`` in the arguments becomes a free port on 127.0.0.1. The command runs in a session of its
own, so stopping it stops its manager and every worker, and it dies with the kernel.
"""

from __future__ import annotations

import atexit
import http.client
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import psutil

from perflab.errors import StartupFailed
from perflab.i18n import _
from perflab.render import table_html, table_text
from perflab.serving.registry import Registry
from perflab.serving.kernel import HOST, bind_socket
from perflab.serving.lifetime import kill_tree
from perflab.serving.processes import new_log_dir

__all__ = ["CommandServer", "serve_command", "stop_all_commands", "stop_command"]

_registry: Registry[CommandServer] = Registry()
_HELPERS = ("multiprocessing.resource_tracker",)  # a child of uvicorn's manager that serves no one


class CommandServer:
    """A server started from its own command line: its URL, its manager, its workers and ``stop()``."""

    def __init__(self, name: str, argv: list[str], port: int, log_path: Path, proc: subprocess.Popen[bytes]) -> None:
        self.name, self.argv, self.port, self.log_path, self.proc = name, argv, port, log_path, proc
        self._log_at_stop: str | None = None  # the log folder goes with stop(); its text stays readable

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8000``."""
        return f"http://{HOST}:{self.port}"

    @property
    def command(self) -> str:
        """The command line, as a shell would show it."""
        return shlex.join([Path(self.argv[0]).name, *self.argv[1:]])

    @property
    def running(self) -> bool:
        """True while the manager process is alive."""
        return self.proc.poll() is None

    def workers(self) -> list[int]:
        """Return the pids of the worker processes: the manager's children that serve requests."""
        try:
            children = psutil.Process(self.proc.pid).children()
        except psutil.Error:
            return []
        return sorted(c.pid for c in children if not any(h in " ".join(_cmdline(c)) for h in _HELPERS))

    def kill_worker(self) -> int:
        """SIGKILL one worker, as a crash or the out-of-memory killer would, and return its pid."""
        pid = self.workers()[0]
        os.kill(pid, signal.SIGKILL)
        return pid

    def logs(self, lines: int = 15) -> str:
        """Return the last lines that the server wrote to stdout and stderr.

        Args:
            lines: How many lines. Defaults to 15.
        """
        text = self._log_at_stop if self._log_at_stop is not None else self.log_path.read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self, timeout_s: float = 5.0) -> None:
        """SIGTERM the manager, which stops its workers; after ``timeout_s``, kill what is left. Safe to call twice.

        Args:
            timeout_s: How long the server gets to shut down gracefully. Defaults to 5.
        """
        _registry.forget(self.name, self)
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                pass
        kill_tree(self.proc)  # workers that outlived their manager, too
        if self._log_at_stop is None and self.log_path.exists():
            self._log_at_stop = self.log_path.read_text(errors="replace")
        shutil.rmtree(self.log_path.parent, ignore_errors=True)

    def __enter__(self) -> CommandServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _rows(self) -> tuple[list[str], list[list[object]]]:
        state = _("running") if self.running else _("stopped")
        pids = ", ".join(str(pid) for pid in self.workers())
        return [_("name"), _("URL"), _("manager"), _("worker pids"), _("state")], [
            [self.name, self.url, self.proc.pid, pids or "-", state]]

    def __repr__(self) -> str:
        return table_text(*self._rows(), title=self.command)

    def _repr_html_(self) -> str:
        return table_html(*self._rows(), title=self.command)


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except psutil.Error:
        return []


def _program(name: str) -> str:
    """Prefer the program installed next to this Python (the course's own uvicorn and gunicorn)."""
    local = Path(sys.executable).parent / name
    return str(local) if local.exists() else (shutil.which(name) or name)


def _answers(port: int, path: str) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=1)
    try:
        conn.request("GET", path)
        return conn.getresponse().status < 500
    except OSError:
        return False
    finally:
        conn.close()


def _wait_ready(server: CommandServer, path: str, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not _answers(server.port, path):
        if server.proc.poll() is not None or time.monotonic() > deadline:
            why = (_("it exited with code {code}.", code=server.proc.returncode) if server.proc.poll() is not None
                   else _("it was not ready within {timeout_s} s.", timeout_s=timeout_s))
            logs = server.logs()
            server.stop(timeout_s=1)
            raise StartupFailed(_('"{target}" did not start: {why}\nLast lines from the workers:\n{logs}',
                                  target=server.command, why=why, logs=logs or "-"))
        time.sleep(0.1)


def _free_port() -> int:
    sock = bind_socket(0)
    port = int(sock.getsockname()[1])
    sock.close()
    return port


def serve_command(args: Sequence[str], name: str = "command", *, ready_path: str = "/ping",
                  timeout_s: float = 20, env: dict[str, str] | None = None) -> CommandServer:
    """Run ``args`` (a server's command line) in a session of its own, and wait until it answers.

    Serving again under the same ``name`` stops the old server first.

    Args:
        args: The command, e.g. ``["gunicorn", "app:app", "--bind", "127.0.0.1:{port}"]``; ``{port}``
            becomes a free port on 127.0.0.1.
        name: The registry key for this server. Defaults to ``"command"``.
        ready_path: A path that answers once the server is up. Defaults to ``"/ping"``.
        timeout_s: How long startup may take. Defaults to 20.
        env: More environment variables for the command, e.g. ``{"PYTHONWARNINGS": "default"}``. Defaults to none.
    """
    stop_command(name)
    port = _free_port()
    argv = [_program(args[0]), *(a.replace("{port}", str(port)) for a in args[1:])]
    log_path = new_log_dir() / "command.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "perflab.serving._exec", str(os.getpid()), "--", *argv],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    server = CommandServer(name, argv, port, log_path, proc)
    _wait_ready(server, ready_path, timeout_s)
    _registry.add(name, server)
    return server


def stop_command(name: str) -> CommandServer | None:
    """Stop the server registered as ``name``, if any, and return it.

    Args:
        name: The name given to ``serve_command``.
    """
    return _registry.stop(name)


def stop_all_commands() -> None:
    """Stop every server that ``serve_command`` started in this process."""
    _registry.stop_all()


atexit.register(stop_all_commands)
