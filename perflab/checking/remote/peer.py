"""One end of the connection between the judge and the subject: objects used across a process boundary.

Each side exports objects as handles and gets stubs for the other's (see ``stubs``). A call on a
stub becomes a message; the owner runs it on the event loop the object belongs to (the loop that
was running when it was exported, else the side's home loop) and sends back the result or the
exception. A reader thread takes every frame off the socket, so a side blocked in a call still
gets its reply, and the other side's calls wait for its loop, exactly as on a real server.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import inspect
import itertools
import pickle
import socket
import threading
from collections.abc import Callable
from typing import Any

from perflab.checking.engine import CheckFailed
from perflab.checking.remote import stubs
from perflab.checking.remote.codec import decode, encode, pack, read_frame
from perflab.checking.remote.exceptions import ErrorBridge, RemoteError
from perflab.checking.remote.home import Soon, start_soon
from perflab.i18n import _

__all__ = ["Peer", "PeerGone", "RemoteError"]



class PeerGone(CheckFailed):
    """The other side closed the connection: its process ended (a failed check, with the reason if known)."""


class Peer:
    """One side of a connection: exports objects as handles, and calls the other side's.

    Args:
        sock: A connected stream socket (one end of a socketpair).
        trusted: Whether this side is the judge: it may send pickles, and accepts none.
        home: The loop that runs calls on objects exported outside any loop.
        why_gone: Says why the other side ended, when it did without a farewell. Defaults to a plain message.
    """

    def __init__(self, sock: socket.socket, *, trusted: bool, home: asyncio.AbstractEventLoop,
                 why_gone: Callable[[], str] | None = None) -> None:
        self.sock, self.trusted, self.home, self._why_gone = sock, trusted, home, why_gone
        self._exported: dict[int, tuple[Any, asyncio.AbstractEventLoop]] = {}
        self._ids: dict[int, int] = {}  # id(obj) -> handle, so one object keeps one handle
        self._pending: dict[int, concurrent.futures.Future[Any]] = {}
        self._serving: dict[int, Soon] = {}
        self._errors = ErrorBridge(trusted)
        self._counter = itertools.count(1)
        self._send_lock = threading.Lock()
        self.gone = threading.Event()
        self.notices: dict[str, Any] = {}
        self._noticed = threading.Condition()
        self.farewell = ""  # why the other side ended, when it said so (os._exit in the learner's code)
        self._reader = threading.Thread(target=self._read_forever, name="perflab-peer", daemon=True)

    def start(self) -> Peer:
        """Start reading the other side's frames; return self."""
        self._reader.start()
        return self

    def forget_in_child(self) -> None:
        """In a child forked from this process: never send on the connection, which is the parent's."""
        self._send = lambda header, blobs: None  # type: ignore[method-assign]
        with contextlib.suppress(OSError):
            self.sock.close()  # this copy only: the parent's socket stays open

    def close(self) -> None:
        """Close the connection; calls still waiting fail with PeerGone."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()

    # Sending

    def _send(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        frame = pack(header, blobs)
        with self._send_lock:
            try:
                self.sock.sendall(frame)
            except OSError:
                raise self._ended() from None

    def _ended(self) -> PeerGone:
        return PeerGone(self.farewell or _("The process that runs your code ended during this check: look for "
                                           "sys.exit, os._exit, os.kill or a crash in your code."))

    def notify(self, kind: str, value: Any) -> None:
        """Send the other side a notice that needs no answer, e.g. the subject's hello.

        Args:
            kind: What it is: "hello" or "farewell".
            value: Its content.
        """
        blobs: list[bytes] = []
        self._send({"op": "notice", "kind": kind, "values": self._encode(value, blobs)}, blobs)

    def wait_notice(self, kind: str, timeout_s: float) -> Any:
        """Return the notice ``kind`` once it came; raise TimeoutError after ``timeout_s``, PeerGone if the side ended.

        Args:
            kind: The notice.
            timeout_s: How long to wait.
        """
        with self._noticed:
            self._noticed.wait_for(lambda: kind in self.notices or self.gone.is_set(), timeout_s)
            if kind in self.notices:
                return self.notices[kind]
        if self.gone.is_set():
            raise self._ended()
        raise TimeoutError(kind)

    def handle_of(self, obj: Any) -> dict[str, Any]:
        """Return the handle that stands for ``obj`` on the other side, exporting it if needed.

        Args:
            obj: Any object; a stub of the other side's object goes back as its own handle.
        """
        own = stubs.handle_in(obj, self)
        if own is not None:
            return {"$r": own}
        key = self._ids.get(id(obj))
        if key is None or self._exported.get(key, (None,))[0] is not obj:
            key = next(self._counter)
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = self.home
            self._exported[key], self._ids[id(obj)] = (obj, loop), key
        return {"$h": key, **stubs.describe(obj)}

    def _encode(self, value: Any, blobs: list[bytes]) -> Any:
        return encode(value, blobs, self.handle_of, self.trusted)

    def _decode(self, data: Any, blobs: list[bytes]) -> Any:
        return decode(data, blobs, self._resolve, unpickle=not self.trusted)

    def _resolve(self, data: dict[str, Any]) -> Any:
        if "$r" in data:
            return self._exported[int(data["$r"])][0]
        return stubs.stub(self, int(data["$h"]), data)

    def _request(self, header: dict[str, Any], values: Any) -> tuple[int, concurrent.futures.Future[Any]]:
        if self.gone.is_set():
            raise self._ended()
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        key = next(self._counter)
        self._pending[key] = future
        blobs: list[bytes] = []
        header = {**header, "id": key, "values": self._encode(values, blobs)}
        try:
            self._send(header, blobs)
        except BaseException:
            self._pending.pop(key, None)
            raise
        return key, future

    def request_sync(self, op: str, target: int, values: Any = None, **fields: Any) -> Any:
        """Run ``op`` on the other side's object ``target`` and wait for the answer in this thread.

        Args:
            op: "call", "await", "getattr" or "setattr".
            target: The other side's handle.
            values: The arguments, encoded on the way.
            **fields: The operation's own fields (``method``, ``name``, ``await_``).
        """
        return self._request({"op": op, "target": target, **fields}, values)[1].result()

    async def request(self, op: str, target: int, values: Any = None, **fields: Any) -> Any:
        """Run ``op`` on the other side's object ``target`` and await the answer; cancelling cancels it there too.

        Args:
            op: "call", "await", "getattr" or "setattr".
            target: The other side's handle.
            values: The arguments, encoded on the way.
            **fields: The operation's own fields (``method``, ``name``, ``await_``).
        """
        key, future = self._request({"op": op, "target": target, **fields}, values)
        try:
            return await asyncio.wrap_future(future)
        except asyncio.CancelledError:
            if self._pending.pop(key, None) is not None:
                with contextlib.suppress(PeerGone):
                    self._send({"op": "cancel", "id": key}, [])
            raise

    # Receiving

    def _read_forever(self) -> None:
        try:
            while True:
                header, blobs = read_frame(self.sock.recv)
                self._dispatch(header, blobs)
        except (EOFError, OSError, ValueError):
            pass
        finally:
            if not self.farewell and self._why_gone is not None:
                with contextlib.suppress(Exception):
                    self.farewell = self._why_gone()
            with self._noticed:
                self.gone.set()
                self._noticed.notify_all()
            for future in list(self._pending.values()):
                if not future.done():
                    future.set_exception(self._ended())
            self._pending.clear()

    def _dispatch(self, header: dict[str, Any], blobs: list[bytes]) -> None:
        op, key = header.get("op"), int(header.get("id", 0))
        if op == "reply":
            future = self._pending.pop(key, None)
            if future is not None and not future.done():
                try:
                    if header.get("ok"):
                        future.set_result(self._decode(header.get("value"), blobs))
                    else:
                        future.set_exception(self._error_from(header.get("error", {}), blobs))
                except Exception as exc:  # a malformed reply fails that one call, never the reader
                    future.set_exception(exc)
        elif op == "cancel":
            serving = self._serving.pop(key, None)
            if serving is not None:
                serving.cancel()
        elif op in ("call", "await", "getattr", "setattr") or (op == "run" and not self.trusted):
            self._serve_later(key, header, blobs)
        elif op == "notice" and self.trusted:
            self._noted(str(header.get("kind")), self._decode(header.get("values"), blobs))
        elif key:  # anything else that waits for an answer (a "run" from the subject, say) is refused
            self._reply_error(key, LookupError(f"refused: {op}"))

    def _noted(self, kind: str, value: Any) -> None:
        if kind == "farewell":
            self.farewell = str(value)
        with self._noticed:
            self.notices[kind] = value
            self._noticed.notify_all()

    def _serve_later(self, key: int, header: dict[str, Any], blobs: list[bytes]) -> None:
        try:
            target, loop = (None, self.home) if header["op"] == "run" else self._exported[int(header["target"])]
        except (KeyError, ValueError, TypeError):
            self._reply_error(key, LookupError("no such object"))
            return
        if loop is not self.home and not loop.is_running():  # its loop has ended (or never ran): serve it at home
            loop = self.home
        try:
            self._serving[key] = start_soon(loop, lambda: self._serve(key, target, header, blobs))
        except RuntimeError as exc:  # the loop is closed
            self._reply_error(key, exc)

    async def _serve(self, key: int, target: Any, header: dict[str, Any], blobs: list[bytes]) -> None:
        try:
            result = await self._perform(target, header, self._decode(header.get("values"), blobs))
        except BaseException as exc:  # whatever the object raises goes back to the caller
            self._serving.pop(key, None)
            self._reply_error(key, exc)
            return
        self._serving.pop(key, None)
        blobs_out: list[bytes] = []
        try:
            value = self._encode(result, blobs_out)
        except Exception as exc:
            self._reply_error(key, exc)
            return
        with contextlib.suppress(PeerGone):
            self._send({"op": "reply", "id": key, "ok": True, "value": value}, blobs_out)

    async def run(self, function: Any, *args: Any) -> Any:
        """Call ``function(*args)`` on the other side (the subject): both go pickled, so the function must be importable there.

        Args:
            function: A module-level function of perflab.
            *args: Its arguments.
        """
        return await self.request("run", 0, pickle.dumps((function, args)))

    @staticmethod
    async def _perform(target: Any, header: dict[str, Any], values: Any) -> Any:
        op = header["op"]
        if op == "run":  # only ever from the judge: the subject accepts it, the judge never does
            function, args = pickle.loads(values)
            result = function(*args)
            return await result if inspect.isawaitable(result) else result
        if op == "getattr":
            return getattr(target, str(header["name"]))
        if op == "setattr":
            setattr(target, str(header["name"]), values)
            return None
        if op == "await":
            return await target
        args, kwargs = values
        method = str(header.get("method") or "")
        if method.startswith("__"):  # a special method is looked up on the type, as Python does
            result = getattr(type(target), method)(target, *args, **kwargs)
        else:
            result = (getattr(target, method) if method else target)(*args, **kwargs)
        if header.get("await_") and inspect.isawaitable(result):
            result = await result
        return result

    # Exceptions

    def _reply_error(self, key: int, exc: BaseException) -> None:
        blobs: list[bytes] = []
        data = self._errors.data(exc, blobs, self._encode)
        with contextlib.suppress(PeerGone):
            self._send({"op": "reply", "id": key, "ok": False, "error": data}, blobs)

    def _error_from(self, data: dict[str, Any], blobs: list[bytes]) -> BaseException:
        return self._errors.rebuild(data, blobs, self._decode)
