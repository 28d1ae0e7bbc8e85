"""The load worker's HTTP clients: one sender per task, each with its own connection.

``raw_senders`` writes a pre-encoded request on an asyncio protocol parsed by httptools;
``aiohttp_senders`` goes through an aiohttp session. Both yield a factory of
:class:`Sender`, and :func:`error_kind` names the failures of either.

Usage::

    async with raw_senders(url, "GET", concurrency, timeout_s) as make:
        status = await make().send()
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import ssl
import sys
import time
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

import httptools

__all__ = ["Disconnected", "Sender", "SenderFactory", "aiohttp_senders", "error_kind", "raw_senders"]


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
        # aiohttp: the server went away before, or in the middle of, sending its response.
        type(exc).__name__ in ("ServerDisconnectedError", "ClientPayloadError")
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
    """Sends through a shared aiohttp session, whose pool hands it a connection."""

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
    """Writes one pre-encoded request at a time on its own :class:`_RawConnection`."""

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
