"""A fake ASGI app for the exercise "admission": its requests wait inside it until the check lets them go.

The check counts what reached the app, in which order and how many at once, and calls the
learner's wrapper with plain ASGI messages, so it can hold, release and cancel each request.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = ["AppError", "Answer", "HeldApp", "call", "run_lifespan"]

Message = dict[str, Any]


class AppError(RuntimeError):
    """What the held app raises on ``/raise/...``: a route that fails."""


@dataclass
class Answer:
    """What the wrapper sent back for one request, and when (seconds after it was sent)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    after_s: float = 0.0

    def json(self) -> Any:
        """Return the body as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None


class HeldApp:
    """An ASGI app: ``/hold/{n}`` waits until ``release(n)``; ``/raise/{n}`` raises; ``/echo`` answers at once."""

    def __init__(self) -> None:
        self.entered: list[str] = []  # the request names, in the order they reached the app
        self.in_flight = 0
        self.peak = 0
        self.cancelled = 0  # requests cancelled inside the app
        self.lifespan: list[str] = []
        self._gates: dict[str, asyncio.Event] = {}

    def gate(self, name: str) -> asyncio.Event:
        """Return the event that lets request ``name`` answer."""
        return self._gates.setdefault(name, asyncio.Event())

    def release(self, *names: str) -> None:
        """Let the requests ``names`` answer."""
        for name in names:
            self.gate(name).set()

    async def __call__(self, scope: Message, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        name = scope["path"].rsplit("/", 1)[-1]
        self.entered.append(name)
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await self._answer(scope["path"], name, send)
        except asyncio.CancelledError:
            self.cancelled += 1
            raise
        finally:
            self.in_flight -= 1

    async def _answer(self, path: str, name: str, send: Any) -> None:
        if path.startswith("/raise/"):
            raise AppError(name)
        if path.startswith("/hold/"):
            await self.gate(name).wait()
        body = json.dumps({"request": name}).encode()
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"x-request", name.encode())]})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            kind = message["type"].rsplit(".", 1)[-1]  # startup or shutdown
            self.lifespan.append(kind)
            await send({"type": f"lifespan.{kind}.complete"})
            if kind == "shutdown":
                return


def _scope(path: str) -> Message:
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
            "headers": [(b"host", b"127.0.0.1")], "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}


async def call(wrapped: Any, path: str) -> Answer:
    """Send one GET ``path`` to the learner's wrapper, as a server would, and return what it answered.

    Args:
        wrapped: What ``admit`` returned.
        path: e.g. ``"/hold/3"``.
    """
    answer, started, asked = Answer(), time.perf_counter(), asyncio.Event()

    async def receive() -> Message:
        if not asked.is_set():
            asked.set()
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays until the request ends or is cancelled
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {bytes(k).decode("latin-1").lower(): bytes(v).decode("latin-1")
                              for k, v in message.get("headers", [])}
        elif message["type"] == "http.response.body":
            answer.body += bytes(message.get("body", b""))
            answer.after_s = time.perf_counter() - started

    await wrapped(_scope(path), receive, send)
    return answer


async def run_lifespan(wrapped: Any, timeout_s: float) -> list[str]:
    """Run the wrapper's lifespan, startup then shutdown, and return the messages it sent back.

    Args:
        wrapped: What ``admit`` returned.
        timeout_s: How long the whole exchange may take.
    """
    inbox: asyncio.Queue[Message] = asyncio.Queue()
    for kind in ("startup", "shutdown"):
        inbox.put_nowait({"type": f"lifespan.{kind}"})
    sent: list[str] = []

    async def send(message: Message) -> None:
        sent.append(message["type"])

    await asyncio.wait_for(wrapped({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, send), timeout_s)
    return sent
