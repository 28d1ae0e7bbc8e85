"""Tests for perflab.load.http_clients: both senders against a scripted server, and error kinds."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import aiohttp
import pytest

from perflab.load.http_clients import (
    Disconnected,
    SenderFactory,
    aiohttp_senders,
    error_kind,
    raw_senders,
)

Clients = Callable[[str, str, int, float], AbstractAsyncContextManager[SenderFactory]]
OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
HEAD_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"  # announces a body it never sends


class _Scripted:
    """A server that answers every request head with ``reply``, or closes when it is empty."""

    def __init__(self, reply: bytes) -> None:
        self.reply, self.connections = reply, 0
        self.requests: list[bytes] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while head := await reader.readuntil(b"\r\n\r\n"):
                self.requests.append(head)
                if not self.reply:
                    break
                writer.write(self.reply)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def _serving(reply: bytes) -> AsyncIterator[tuple[_Scripted, str]]:
    scripted = _Scripted(reply)
    server = await asyncio.start_server(scripted.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield scripted, f"http://127.0.0.1:{port}/ping?x=1"


def _run(coro: Awaitable[object]) -> object:
    async def main() -> object:
        return await asyncio.wait_for(coro, 10)

    return asyncio.run(main())


@pytest.mark.parametrize("clients", [raw_senders, aiohttp_senders])
def test_sender_reuses_one_connection(clients: Clients) -> None:
    async def scenario() -> tuple[list[int], _Scripted, str]:
        async with _serving(OK) as (scripted, url):
            async with clients(url, "GET", 1, 2.0) as make:
                sender = make()
                statuses = [await sender.send() for _ in range(3)]
                sender.reset()
        return statuses, scripted, url

    statuses, scripted, url = _run(scenario())  # type: ignore[misc]
    assert statuses == [200, 200, 200]
    assert scripted.connections == 1
    assert scripted.requests[0].startswith(b"GET /ping?x=1 HTTP/1.1\r\n")
    assert f"Host: {url.split('/')[2]}".encode() in scripted.requests[0]


def test_raw_sender_writes_a_fixed_request_head() -> None:
    async def scenario() -> tuple[bytes, str]:
        async with _serving(OK) as (scripted, url), raw_senders(url, "GET", 1, 2.0) as make:
            await make().send()
        return scripted.requests[0], url

    head, url = _run(scenario())  # type: ignore[misc]
    host = url.split("/")[2]
    assert head == f"GET /ping?x=1 HTTP/1.1\r\nHost: {host}\r\nUser-Agent: perflab\r\n\r\n".encode()


def test_raw_sender_head_does_not_wait_for_the_announced_body() -> None:
    async def scenario() -> tuple[list[int], int]:
        async with _serving(HEAD_OK) as (scripted, url), raw_senders(url, "HEAD", 1, 1.0) as make:
            sender = make()
            statuses = [await sender.send(), await sender.send()]
        return statuses, scripted.connections

    assert _run(scenario()) == ([200, 200], 1)


def test_raw_sender_fails_when_the_server_closes_mid_request() -> None:
    async def scenario() -> str:
        async with _serving(b"") as (_scripted, url), raw_senders(url, "GET", 1, 2.0) as make:
            try:
                await make().send()
            except Exception as exc:  # noqa: BLE001 - the kind is what is tested
                return error_kind(exc)
        return "answered"

    assert _run(scenario()) == "disconnected"


def test_raw_sender_expires_a_request_without_an_answer() -> None:
    async def scenario() -> str:
        silent: list[asyncio.StreamWriter] = []  # kept open, never written to

        async def accept(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            silent.append(writer)

        server = await asyncio.start_server(accept, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/"
        async with server, raw_senders(url, "GET", 1, 0.1) as make:
            try:
                await make().send()
            except Exception as exc:  # noqa: BLE001 - the kind is what is tested
                return error_kind(exc)
            finally:
                for writer in silent:
                    writer.close()
        return "answered"

    assert _run(scenario()) == "timeout"


@pytest.mark.parametrize(("exc", "kind"), [
    (ConnectionRefusedError(), "refused"),
    (TimeoutError(), "timeout"),
    (asyncio.TimeoutError(), "timeout"),
    (Disconnected(), "disconnected"),
    (ConnectionResetError(), "disconnected"),
    (BrokenPipeError(), "disconnected"),
    (OSError(errno.ECONNRESET, "reset"), "disconnected"),
    (OSError(errno.EHOSTUNREACH, "unreachable"), "connection"),
    (aiohttp.ServerDisconnectedError(), "disconnected"),
    (aiohttp.ClientConnectionError(), "connection"),
    (ValueError("bad"), "other"),
])
def test_error_kind_names_failures_of_either_client(exc: BaseException, kind: str) -> None:
    assert error_kind(exc) == kind


def test_error_kind_sees_the_refusal_inside_an_aiohttp_connect_error() -> None:
    wrapped = aiohttp.ClientConnectorError(object(), ConnectionRefusedError(111, "refused"))  # type: ignore[arg-type]
    assert error_kind(wrapped) == "refused"


def test_a_response_cut_short_counts_as_disconnected() -> None:
    import aiohttp

    assert error_kind(aiohttp.ClientPayloadError("Response payload is not completed")) == "disconnected"
