"""Serve an app in worker processes, the way production does, and stop it cleanly.

Usage::

    srv = serve_process("perflab.lab.apps.ping:app", workers=2)
    load(srv.url + "/ping")
    srv.stop()

The kernel binds the socket itself and hands it to each worker, so a taken port is
reported before any process starts, and every worker accepts on the same socket.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


from perflab.errors import PortInUse, StartupFailed
from perflab.serving.registry import Registry
from perflab.serving.kernel import HOST, PORT_OWNERS, bind_socket
from perflab.serving.options import check_uvicorn_options
from perflab.i18n import _, current_language, ngettext
from perflab.render import table_html, table_text

__all__ = ["ProcessServer", "new_log_dir", "running_processes", "serve_process", "stop_all_processes", "stop_process"]


_LOG_TAIL_LINES = 15
_registry: Registry[ProcessServer] = Registry()


class ProcessServer:
    """A running multi-process server: its URL, its worker pids, and ``stop()``."""

    def __init__(self, name: str, target: str, port: int, log_dir: Path,
                 options: dict[str, Any] | None = None) -> None:
        self.name = name
        self.target = target
        self.port = port
        self.log_dir = log_dir
        self.options = options or {}  # uvicorn settings, e.g. limit_concurrency
        self.procs: list[subprocess.Popen[bytes]] = []
        self._stopped = False

    @property
    def url(self) -> str:
        """The base URL, e.g. ``http://127.0.0.1:8000``."""
        return f"http://{HOST}:{self.port}"

    @property
    def pids(self) -> list[int]:
        """The process ids of the workers."""
        return [p.pid for p in self.procs]

    @property
    def running(self) -> bool:
        """True while every worker is alive and ``stop()`` has not been called."""
        return not self._stopped and all(p.poll() is None for p in self.procs)

    def logs(self, lines: int = _LOG_TAIL_LINES) -> str:
        """Return the last lines that the workers wrote to stdout and stderr.

        Args:
            lines: How many lines of each worker's log. Defaults to 15.
        """
        parts = []
        for path in sorted(self.log_dir.glob("worker-*.log")):
            tail = path.read_text(errors="replace").splitlines()[-lines:]
            if tail:
                parts.append(f"[{path.stem}]\n" + "\n".join(tail))
        return "\n".join(parts)

    def stop(self, timeout_s: float = 5.0) -> None:
        """Stop every worker: SIGTERM, wait, then SIGKILL what is left. Safe to call twice.

        Args:
            timeout_s: How long the workers get to shut down gracefully. Defaults to 5.
        """
        _registry.forget(self.name, self)
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout_s
        for proc in self.procs:
            try:
                proc.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self._stopped = True
        shutil.rmtree(self.log_dir, ignore_errors=True)

    def __enter__(self) -> ProcessServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _rows(self) -> tuple[list[str], list[list[object]]]:
        # A crashed worker is worth seeing: the survivors now take all the requests.
        dead = sum(p.poll() is not None for p in self.procs)
        if self._stopped:
            state = _("stopped")
        elif dead:
            state = ngettext("{dead} of {n} worker exited", "{dead} of {n} workers exited", len(self.procs), dead=dead)
        else:
            state = _("running")
        headers = [_("name"), _("URL"), _("workers"), _("pids"), _("state")]
        pids = ", ".join(str(pid) for pid in self.pids)
        return headers, [[self.name, self.url, len(self.procs), pids, state]]

    def __repr__(self) -> str:
        return table_text(*self._rows(), title=self.target)

    def _repr_html_(self) -> str:
        return table_html(*self._rows(), title=self.target)


def _process_owner(port: int) -> str | None:
    return next((s.name for s in _registry.servers() if s.port == port), None)


PORT_OWNERS.append(_process_owner)


def _check_target(target: str) -> None:
    module_part, sep, attr = target.rpartition(":")
    if not sep or not module_part or not attr:
        raise StartupFailed(
            _('Cannot serve "{target}": write it as "package.module:app" or '
              '"path/to/file.py:app".', target=target)
        )
    if module_part.endswith(".py") and not Path(module_part).is_file():
        raise StartupFailed(
            _('Cannot serve "{target}": the file {path} does not exist.',
              target=target, path=Path(module_part).resolve())
        )


def _spawn(server: ProcessServer, sock: socket.socket, index: int, stack: tuple[str, str]) -> int:
    """Start one worker on ``sock`` and return the read end of its readiness pipe."""
    ready_r, ready_w = os.pipe()
    cmd = [
        sys.executable, "-m", "perflab.serving._worker", server.target,
        "--fd", str(sock.fileno()), "--ready-fd", str(ready_w),
        "--parent-pid", str(os.getpid()), "--http", stack[0], "--loop", stack[1],
        "--options", json.dumps(server.options),
    ]
    # The worker's own messages (e.g. an import error) come in the learner's language too.
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PERFLAB_LANG": current_language()}
    with open(server.log_dir / f"worker-{index}.log", "wb") as log:
        try:
            # A session of its own: Ctrl-C in the kernel must not reach the workers.
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=(sock.fileno(), ready_w), start_new_session=True, env=env,
            )
        finally:
            os.close(ready_w)  # so a dead worker shows up as EOF on ready_r
    server.procs.append(proc)
    return ready_r


def _startup_failed(server: ProcessServer, why: str) -> StartupFailed:
    return StartupFailed(
        _('"{target}" did not start: {why}\nLast lines from the workers:\n{logs}',
          target=server.target, why=why, logs=server.logs() or "-")
    )


def _wait_ready(server: ProcessServer, ready_fds: list[int], timeout_s: float) -> None:
    """Wait until every worker wrote READY; raise StartupFailed if one dies or time runs out."""
    pending = set(ready_fds)
    deadline = time.monotonic() + timeout_s
    while pending:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _startup_failed(
                server, _("it was not ready within {timeout_s} s.", timeout_s=timeout_s)
            )
        readable, _w, _x = select.select(list(pending), [], [], min(remaining, 0.5))
        for fd in readable:
            if b"READY" not in os.read(fd, 64):
                # EOF without READY: the worker exited during import or startup.
                time.sleep(0.05)  # let its last log lines reach the file
                raise _startup_failed(server, _("a worker exited during startup."))
            pending.discard(fd)


def _start(server: ProcessServer, sock: socket.socket, workers: int, stack: tuple[str, str],
           timeout_s: float) -> None:
    ready_fds: list[int] = []
    try:
        for index in range(workers):
            ready_fds.append(_spawn(server, sock, index, stack))
        _wait_ready(server, ready_fds, timeout_s)
    except BaseException:
        server.stop(timeout_s=2.0)
        raise
    finally:
        for fd in ready_fds:
            os.close(fd)
        # Only the workers hold the socket now: if they all die, clients get "connection
        # refused" at once instead of waiting in a backlog that nobody accepts from.
        sock.close()


def serve_process(
    target: str,
    workers: int = 1,
    name: str = "app",
    port: int = 0,
    timeout_s: float = 15,
    *,
    http: str = "auto",
    loop: str = "auto",
    backlog: int = 2048,
    **uvicorn_options: Any,
) -> ProcessServer:
    """Serve ``target`` with ``workers`` uvicorn processes on 127.0.0.1 and wait until ready.

    Serving again under the same ``name`` stops the old server first, and reuses its
    port when ``port`` is 0, so re-running a notebook cell just works.

    Args:
        target: ``"package.module:app"`` or ``"path/to/file.py:app"``.
        workers: How many worker processes share the socket. Defaults to 1.
        name: The registry key for this server. Defaults to ``"app"``.
        port: The TCP port; 0 picks a free one. Defaults to 0.
        timeout_s: How long startup may take. Defaults to 15.
        http: uvicorn's HTTP parser: ``"auto"`` (httptools when installed), ``"httptools"``
            or ``"h11"``. Defaults to ``"auto"``.
        loop: uvicorn's event loop: ``"auto"`` (uvloop when installed), ``"uvloop"`` or
            ``"asyncio"``; ``http="h11", loop="asyncio"`` is the plain, pure-Python stack.
            Defaults to ``"auto"``.
        backlog: How many connections wait, accepted by the system but not yet by a worker, before new
            ones are refused. Defaults to 2048, uvicorn's default.
        **uvicorn_options: Any other ``uvicorn.Config`` setting, e.g. ``limit_concurrency=20``,
            ``timeout_keep_alive=1`` or ``timeout_graceful_shutdown=3`` (the default here).
    """
    _check_target(target)
    check_uvicorn_options(uvicorn_options)
    old = stop_process(name)
    sock = _bind_preferring(port, old.port if old is not None and port == 0 else 0, backlog)
    log_dir = new_log_dir()
    server = ProcessServer(name, target, sock.getsockname()[1], log_dir, uvicorn_options)
    _start(server, sock, max(1, workers), (http, loop), timeout_s)
    _registry.add(name, server)
    return server


def new_log_dir() -> Path:
    """Make a log folder named after our pid, and remove those of kernels that died."""
    base = Path(tempfile.gettempdir()) / "perflab-serve"
    base.mkdir(exist_ok=True)
    for old in base.iterdir():
        pid = old.name.split("-", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)  # a killed kernel never ran its atexit
    return Path(tempfile.mkdtemp(prefix=f"{os.getpid()}-", dir=base))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by someone else
    return True


def _bind_preferring(port: int, previous_port: int, backlog: int) -> socket.socket:
    if previous_port:
        with contextlib.suppress(PortInUse):
            return bind_socket(previous_port, backlog=backlog)
    return bind_socket(port, backlog=backlog)


def stop_process(name: str) -> ProcessServer | None:
    """Stop the server registered as ``name``, if any, and return it.

    Args:
        name: The name given to ``serve_process``.
    """
    return _registry.stop(name)


def running_processes() -> list[ProcessServer]:
    """Return the servers that ``serve_process`` started in this process and that still run."""
    return [server for server in _registry.servers() if server.running]


def stop_all_processes() -> None:
    """Stop every server that ``serve_process`` started in this process."""
    _registry.stop_all()


atexit.register(stop_all_processes)
