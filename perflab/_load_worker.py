"""The load generator's own process: ``python -m perflab._load_worker '<json config>'``.

It runs ``concurrency`` tasks on its own event loop (uvloop when installed), so the
load never competes with the kernel's loop or an in-kernel server's thread. Each task
keeps one connection: a raw asyncio protocol parsed by httptools, or an aiohttp
session. Every ~100 ms it writes one JSON line to stdout: a batch of results, with the
per-request arrays packed as base64 ``array`` bytes, far cheaper than formatting floats.
"""

from __future__ import annotations

import array
import asyncio
import base64
import contextlib
import errno
import json
import ssl
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

import httptools

from perflab._pdeathsig import die_with_parent

__all__ = ["aiohttp_senders", "error_kind", "main", "pack", "raw_senders", "run", "unpack"]

BATCH_INTERVAL_S = 0.1
# After a connection-level failure a task pauses briefly, so a dead server does not
# turn the load generator into a busy loop that starves the rest of the machine.
ERROR_BACKOFF_S = 0.005


def pack(values: array.array[Any]) -> str:
    """Encode an array as base64 text for a JSON line.

    Args:
        values: A ``"d"`` (float) or ``"H"`` (status) array.
    """
    return base64.b64encode(values.tobytes()).decode("ascii")


def unpack(text: str, typecode: str) -> array.array[Any]:
    """Decode what :func:`pack` produced.

    Args:
        text: The base64 text.
        typecode: The array typecode it was packed with.
    """
    values = array.array(typecode)
    values.frombytes(base64.b64decode(text))
    return values


class Disconnected(ConnectionError):
    """The server closed the connection before the response was complete."""


def error_kind(exc: BaseException) -> str:
    """Name the kind of a failed request: refused, timeout, disconnected, connection or other.

    Args:
        exc: The exception the request raised, from either client.
    """
    os_error = getattr(exc, "os_error", exc)  # aiohttp wraps the OSError of a failed connect
    if isinstance(os_error, ConnectionRefusedError):
        return "refused"
    if isinstance(exc, TimeoutError):  # asyncio's and aiohttp's timeouts subclass it
        return "timeout"
    if isinstance(exc, (Disconnected, ConnectionResetError, BrokenPipeError)) or (
        type(exc).__name__ == "ServerDisconnectedError"
        or getattr(exc, "errno", None) in (errno.ECONNRESET, errno.EPIPE)
    ):
        return "disconnected"
    aiohttp = sys.modules.get("aiohttp")
    if isinstance(exc, OSError) or (aiohttp and isinstance(exc, aiohttp.ClientConnectionError)):
        return "connection"
    return "other"


class Sender(Protocol):
    """Sends one request at a time on its own connection; each load task owns one."""

    async def send(self) -> int: ...  # returns the HTTP status

    def reset(self) -> None: ...  # drops the connection after a failure


SenderFactory = Callable[[], Sender]


class _AiohttpSender:
    def __init__(self, session: Any, method: str, url: Any) -> None:
        self.session, self.method, self.url = session, method, url

    async def send(self) -> int:
        async with self.session.request(self.method, self.url) as resp:
            await resp.read()
            return int(resp.status)

    def reset(self) -> None:
        pass  # aiohttp discards a failed connection itself


@contextlib.asynccontextmanager
async def aiohttp_senders(url: str, method: str, concurrency: int,
                          timeout_s: float) -> AsyncIterator[SenderFactory]:
    """Yield a factory of senders that share one aiohttp session and connection pool.

    Args:
        url: The URL to request.
        method: The HTTP method.
        concurrency: The pool size: one connection per task.
        timeout_s: How long one request may take.
    """
    import aiohttp
    from yarl import URL

    async with aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=concurrency), auto_decompress=False,
        timeout=aiohttp.ClientTimeout(total=timeout_s),
        cookie_jar=aiohttp.DummyCookieJar(),  # no cookie bookkeeping per response
    ) as session:
        parsed = URL(url)  # parsed once, not once per request
        yield lambda: _AiohttpSender(session, method, parsed)


class _RawConnection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection, parsed by httptools (C), one request in flight."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.waiter: asyncio.Future[int] | None = None
        self.head_only = False
        self.parser = httptools.HttpResponseParser(self)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        self.finish(exc or Disconnected())

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self.finish(exc)

    def on_headers_complete(self) -> None:
        if self.head_only:  # a HEAD answer announces a body that never comes
            self.finish(None)

    def on_message_complete(self) -> None:
        if not self.head_only:
            self.finish(None)

    def finish(self, exc: BaseException | None) -> None:
        """Resolve the request in flight with its status, or fail it with ``exc``."""
        waiter, self.waiter = self.waiter, None
        if waiter is None or waiter.done():
            return
        if exc is not None:
            waiter.set_exception(exc)
        else:
            waiter.set_result(self.parser.get_status_code())
            if not self.parser.should_keep_alive() and self.transport is not None:
                self.transport.close()


class _RawSender:
    def __init__(self, address: tuple[str, int, Any], request: bytes, head_only: bool,
                 timeout_s: float) -> None:
        self.address, self.request, self.head_only = address, request, head_only
        self.timeout_s = timeout_s
        self.conn: _RawConnection | None = None
        self.started_s = 0.0  # perf_counter() of the request in flight; 0 when idle

    async def _connect(self) -> _RawConnection:
        host, port, tls = self.address
        async with asyncio.timeout(self.timeout_s):  # once per connection, not per request
            _t, conn = await asyncio.get_running_loop().create_connection(
                _RawConnection, host, port, ssl=tls)
        self.conn = conn
        return conn

    async def send(self) -> int:
        self.started_s = time.perf_counter()
        try:
            conn = self.conn
            if conn is None or conn.transport is None or conn.transport.is_closing():
                conn = await self._connect()
            if self.head_only:
                conn.parser = httptools.HttpResponseParser(conn)  # forget the unsent body
                conn.head_only = True
            conn.waiter = asyncio.get_running_loop().create_future()
            conn.transport.write(self.request)  # type: ignore[union-attr]
            return await conn.waiter
        finally:
            self.started_s = 0.0

    def expire(self) -> None:
        """Fail the request in flight with TimeoutError and drop its connection."""
        if self.conn is not None:
            self.conn.finish(TimeoutError())
        self.reset()

    def reset(self) -> None:
        if self.conn is not None and self.conn.transport is not None:
            self.conn.transport.close()
        self.conn = None


async def _watchdog(senders: list[_RawSender], timeout_s: float) -> None:
    """Expire requests older than ``timeout_s``: one timer for all instead of one each."""
    interval_s = min(0.05, timeout_s / 4)  # so a timeout fires at most 50 ms late
    while True:
        await asyncio.sleep(interval_s)
        oldest_s = time.perf_counter() - timeout_s
        for sender in senders:
            if 0.0 < sender.started_s < oldest_s:
                sender.expire()


@contextlib.asynccontextmanager
async def raw_senders(url: str, method: str, concurrency: int,
                      timeout_s: float) -> AsyncIterator[SenderFactory]:
    """Yield a factory of senders that write one pre-encoded request on their own connection.

    No client library sits between the task and the socket, so this costs about a third
    of aiohttp's CPU per request and the server, not the client, stays the bottleneck.

    Args:
        url: The URL to request.
        method: The HTTP method; the request has no body.
        concurrency: Unused: each sender owns one connection.
        timeout_s: How long one request may take.
    """
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = f"{method} {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nUser-Agent: perflab\r\n\r\n"
    tls = ssl.create_default_context() if parts.scheme == "https" else None
    address = (parts.hostname or "127.0.0.1", parts.port or (443 if tls else 80), tls)
    senders: list[_RawSender] = []

    def make() -> _RawSender:
        senders.append(_RawSender(address, request.encode("latin-1"), method == "HEAD", timeout_s))
        return senders[-1]

    watchdog = asyncio.create_task(_watchdog(senders, timeout_s))
    try:
        yield make
    finally:
        watchdog.cancel()


class _Recorder:
    """Collects results between flushes; tasks append, the flusher swaps and writes."""

    def __init__(self, t0: float, write: Callable[[bytes], object]) -> None:
        self.t0, self.write = t0, write
        self._reset()

    def _reset(self) -> None:
        self.latencies_ms = array.array("d")
        self.timestamps_s = array.array("d")
        self.statuses = array.array("H")
        self.errors: Counter[str] = Counter()

    def flush(self, done: bool = False) -> None:
        line = {
            "elapsed_s": time.perf_counter() - self.t0,
            "latencies_ms": pack(self.latencies_ms),
            "timestamps_s": pack(self.timestamps_s),
            "statuses": pack(self.statuses),
            "errors": dict(self.errors),
            "done": done,
        }
        self._reset()
        self.write(json.dumps(line).encode() + b"\n")

    async def flush_every(self, interval_s: float) -> None:
        while True:
            await asyncio.sleep(interval_s)
            self.flush()


class _Budget:
    """Decides whether a task may start one more request: by count or by deadline."""

    def __init__(self, requests: int | None, deadline: float | None) -> None:
        self.left = requests
        self.deadline = deadline

    def take(self) -> bool:
        if self.left is not None:
            self.left -= 1
            return self.left >= 0
        return time.perf_counter() < (self.deadline or 0.0)


async def _task(sender: Sender, budget: _Budget, rec: _Recorder) -> None:
    perf = time.perf_counter
    while budget.take():
        t_start = perf()
        try:
            status = await sender.send()
        except Exception as exc:  # every failure is data for the learner, not a crash
            # Counted by kind only: a failure's "latency" is a timeout or a refusal, and
            # mixing it into the percentiles would describe the client, not the server.
            rec.errors[error_kind(exc)] += 1
            sender.reset()
            await asyncio.sleep(ERROR_BACKOFF_S)
            continue
        rec.latencies_ms.append((perf() - t_start) * 1000.0)
        rec.timestamps_s.append(t_start - rec.t0)
        rec.statuses.append(status)
    sender.reset()


async def run(cfg: dict[str, Any], write: Callable[[bytes], object]) -> None:
    """Run the load described by ``cfg`` and write JSON lines through ``write``.

    Args:
        cfg: ``url``, ``concurrency``, ``duration_s`` or ``requests``, ``method``,
            ``timeout_s`` and ``client`` (``"raw"`` or ``"aiohttp"``).
        write: Where each encoded line goes, e.g. ``sys.stdout.buffer.write``.
    """
    concurrency = int(cfg["concurrency"])
    clients = {"aiohttp": aiohttp_senders, "raw": raw_senders}
    client = clients[cfg.get("client", "raw")]
    async with client(cfg["url"], cfg["method"], concurrency, float(cfg["timeout_s"])) as make:
        senders = [make() for _ in range(concurrency)]
        t0 = time.perf_counter()
        rec = _Recorder(t0, write)
        duration_s = cfg.get("duration_s")
        budget = _Budget(cfg.get("requests"), t0 + duration_s if duration_s else None)
        flusher = asyncio.create_task(rec.flush_every(BATCH_INTERVAL_S))
        await asyncio.gather(*(_task(s, budget, rec) for s in senders))
        flusher.cancel()
        rec.flush(done=True)


def _write_line(data: bytes) -> None:
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def main(argv: list[str] | None = None) -> int:
    """Parse the JSON config from argv, guard against orphaning, and run.

    Args:
        argv: ``[json_config]``. Defaults to ``sys.argv[1:]``.
    """
    cfg = json.loads((argv or sys.argv[1:])[0])
    die_with_parent(int(cfg["parent_pid"]))
    try:
        import uvloop

        loop_factory: Callable[[], asyncio.AbstractEventLoop] | None = uvloop.new_event_loop
    except ImportError:
        loop_factory = None
    with asyncio.Runner(loop_factory=loop_factory) as runner:
        runner.run(run(cfg, _write_line))
    return 0


if __name__ == "__main__":
    sys.exit(main())
