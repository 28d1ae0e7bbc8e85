"""Serve an ASGI app inside the notebook kernel, on a uvicorn thread bound to 127.0.0.1.

Why a thread and not a task on the kernel's loop: uvicorn calls ``sys.exit`` when a port is
taken or startup fails (which kills a kernel), takes over Ctrl-C, and deadlocks with any sync
HTTP client called from the same loop. In a thread, ``sys.exit`` only ends that thread, the
kernel keeps its own signal handlers, and sync and async clients both work.
"""

from __future__ import annotations

import atexit
import errno
import html
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from perflab.serving.asgi import LifespanProbe, require_asgi_app
from perflab.serving.registry import Registry
from perflab.errors import PortInUse, StartupFailed
from perflab.i18n import _

__all__ = ["PORT_OWNERS", "Server", "bind_socket", "running_servers", "serve", "stop_all"]

HOST = "127.0.0.1"
_servers: Registry[Server] = Registry()
# Each kind of perflab server registers how to find which of its servers holds a port.
PORT_OWNERS: list[Callable[[int], str | None]] = []


def bind_socket(port: int = 0, host: str = HOST, backlog: int = 2048) -> socket.socket:
    """Bind and listen on ``host:port`` (port 0 picks a free one), or raise PortInUse.

    Args:
        port: The TCP port. Defaults to 0, a free port chosen by the system.
        host: The address. Defaults to 127.0.0.1: the course never listens beyond loopback.
        backlog: How many connections the kernel queues before the server accepts them. Defaults to 2048,
            uvicorn's own default.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # Re-running a cell must be able to rebind a port whose old connections are in TIME_WAIT.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit TCP_NODELAY on Linux; see perflab.serving._worker for why it matters.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PortInUse(_port_in_use_message(port)) from None
        raise
    sock.listen(backlog)
    sock.set_inheritable(True)
    return sock


def _in_kernel_owner(port: int) -> str | None:
    return next((s.name for s in _servers.servers() if s.port == port), None)


PORT_OWNERS.append(_in_kernel_owner)


def _port_in_use_message(port: int) -> str:
    owner = next((name for find in PORT_OWNERS if (name := find(port)) is not None), None)
    if owner is not None:
        return _(
            "Port {port} is already used by the perflab server {name!r}. "
            "Stop it with .stop(), or leave out port= and a free port is chosen.",
            port=port,
            name=owner,
        )
    return _(
        "Port {port} is already in use by another program. "
        "Leave out port= and perflab picks a free port for you.",
        port=port,
    )


class _HideReportedStartupErrors(logging.Filter):
    """Drop uvicorn's own startup-failure logs: StartupFailed already says the same, translated."""

    def filter(self, record: logging.LogRecord) -> bool:
        from_lifespan = record.pathname.replace("\\", "/").find("/uvicorn/lifespan/") >= 0
        return not (from_lifespan or record.getMessage().startswith("Application startup failed"))


logging.getLogger("uvicorn.error").addFilter(_HideReportedStartupErrors())


class _ThreadedUvicorn(uvicorn.Server):
    """A uvicorn server that never touches signal handlers: it runs off the main thread."""

    def install_signal_handlers(self) -> None:  # kept for uvicorn versions that still call it
        return None


@dataclass
class Server:
    """A running in-kernel server: its ``url``, and ``stop()`` to shut it down cleanly."""

    name: str
    url: str
    port: int
    _uvicorn: _ThreadedUvicorn = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _socket: socket.socket = field(repr=False)

    @property
    def running(self) -> bool:
        """Whether the server thread is still serving."""
        return self._thread.is_alive()

    def stop(self, timeout_s: float = 5.0) -> None:
        """Shut down: finish in-flight requests, run lifespan shutdown, free the port.

        Args:
            timeout_s: How long to wait for a graceful exit before forcing it. Defaults to 5.
        """
        self._uvicorn.should_exit = True
        self._thread.join(timeout_s)
        if self._thread.is_alive():
            self._uvicorn.force_exit = True
            self._thread.join(timeout_s)
        self._socket.close()
        _servers.forget(self.name, self)

    def kill(self, timeout_s: float = 5.0) -> None:
        """Stop at once, as a killed process would: no waiting for requests or tasks, no lifespan shutdown.

        Args:
            timeout_s: How long to wait for the server's thread to end. Defaults to 5.
        """
        self._uvicorn.force_exit = True
        self.stop(timeout_s)

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __str__(self) -> str:
        state = _("running") if self.running else _("stopped")
        return _("Server {name!r} at {url} ({state})", name=self.name, url=self.url, state=state)

    def _repr_html_(self) -> str:
        return f"<code>{html.escape(str(self))}</code>"


def serve(
    app: Any,
    name: str = "app",
    port: int = 0,
    timeout_s: float = 10.0,
    log_level: str = "warning",
) -> Server:
    """Serve ``app`` on 127.0.0.1 in a background thread and wait until it answers.

    Serving the same ``name`` again stops the old server first, so re-running a cell is safe.

    Usage:
        srv = serve(app, name="hello")
        requests.get(srv.url + "/")
        srv.stop()

    Args:
        app: A FastAPI, Starlette or any other ASGI application.
        name: Identifies the server; a new serve() with this name replaces the old one. Defaults to "app".
        port: The TCP port. Defaults to 0, which picks a free port.
        timeout_s: How long startup (including the app's lifespan) may take. Defaults to 10.
        log_level: uvicorn's log level. Defaults to "warning", so requests are not logged.
    """
    require_asgi_app(app)
    _servers.stop(name)
    sock = bind_socket(port)
    server = _start(app, name, sock, log_level)
    _wait_started(server, timeout_s)
    _servers.add(name, server)
    return server


def _start(app: Any, name: str, sock: socket.socket, log_level: str) -> Server:
    probe = LifespanProbe(app)
    config = uvicorn.Config(
        probe, log_level=log_level, lifespan="auto", timeout_graceful_shutdown=2, access_log=False
    )
    engine = _ThreadedUvicorn(config)
    engine.perflab_probe = probe  # type: ignore[attr-defined]
    thread = threading.Thread(target=_run, args=(engine, sock), name=f"perflab-serve-{name}", daemon=True)
    port = sock.getsockname()[1]
    server = Server(name, f"http://{HOST}:{port}", port, engine, thread, sock)
    thread.start()
    return server


def _run(engine: _ThreadedUvicorn, sock: socket.socket) -> None:
    try:
        engine.run(sockets=[sock])
    except SystemExit:
        pass  # uvicorn exits this way when startup fails; _wait_started reports why, translated


def _wait_started(server: Server, timeout_s: float) -> None:
    deadline = time.perf_counter() + timeout_s
    engine = server._uvicorn
    while not engine.started:
        if not server._thread.is_alive() or time.perf_counter() > deadline:
            timed_out = server._thread.is_alive()
            server.stop(timeout_s=1.0)
            raise StartupFailed(_startup_message(server, engine, timed_out)) from None
        time.sleep(0.005)


def _startup_message(server: Server, engine: _ThreadedUvicorn, timed_out: bool) -> str:
    if timed_out:
        return _(
            "The app {name!r} did not finish starting within the time limit. "
            "Does its lifespan wait for something that never comes?",
            name=server.name,
        )
    reason = engine.perflab_probe.failure or _("no reason was given")  # type: ignore[attr-defined]
    return _("The app {name!r} failed to start: {reason}", name=server.name, reason=reason)


def running_servers() -> list[Server]:
    """Return the in-kernel servers that are running now."""
    return _servers.servers()


def stop_all() -> None:
    """Stop every in-kernel server that perflab started."""
    _servers.stop_all()


atexit.register(stop_all)
