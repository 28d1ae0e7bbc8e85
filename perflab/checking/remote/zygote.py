"""A fork server for subjects: one clean process with FastAPI, httpx and the subject imported, forked for each.

Importing FastAPI takes about a second in a fresh Python, and grading starts several subjects
per learner. ``Zygote`` (the judge's side) starts ``python -m perflab.checking.remote.zygote``
once per judge process; it imports what subjects need, then forks one child per request: the
child gets the subject's socket and output pipe (passed with SCM_RIGHTS), leads a new session,
and runs ``subject.run``. The zygote has no threads, so forking it is safe; it reports each
child's exit status, and it dies with the judge.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import select
import socket
import struct
import subprocess
import sys
import threading
from collections.abc import Sequence
from typing import Any

__all__ = ["Zygote", "close_shared_zygote", "main", "shared_zygote"]

_LENGTH = struct.Struct(">I")
_WARM = ("fastapi", "fastapi.responses", "httpx", "pydantic", "redis.asyncio", "anyio",
         "perflab.serving.client", "perflab.checking.remote.subject")


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


class Zygote:
    """The judge's handle on its fork server.

    Args:
        env: The environment the subjects get.
    """

    def __init__(self, env: dict[str, str]) -> None:
        ours, theirs = socket.socketpair()
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "perflab.checking.remote.zygote", "--fd", str(theirs.fileno()),
             "--parent-pid", str(os.getpid())], pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL,
            start_new_session=True, env=env)
        theirs.close()
        self._sock, self._lock, self._exits = ours, threading.Lock(), threading.Condition()
        self._statuses: dict[int, int] = {}
        self._replies: list[int] = []
        threading.Thread(target=self._read, name="perflab-zygote", daemon=True).start()

    def _read(self) -> None:
        with contextlib.suppress(OSError, EOFError, ValueError):
            while True:
                message = json.loads(_read_exactly(self._sock, _LENGTH.unpack(_read_exactly(self._sock, 4))[0]))
                with self._exits:
                    if "exited" in message:
                        self._statuses[int(message["exited"])] = int(message["status"])
                    else:
                        self._replies.append(int(message["pid"]))
                    self._exits.notify_all()
        with self._exits:
            self._replies.append(0)  # the zygote is gone: spawning fails from now on
            self._exits.notify_all()

    def spawn(self, argv: Sequence[str], code: str, fds: Sequence[int]) -> int:
        """Fork a subject that runs ``subject.run(argv, code)`` with ``fds`` (its socket, its output); return its pid.

        Args:
            argv: The subject's arguments; ``--fd`` and the output are the first and second of ``fds``.
            code: The code it runs.
            fds: Its socket and the write end of its output pipe.
        """
        body = json.dumps({"argv": list(argv), "code": code}).encode("utf-8")
        with self._lock:
            socket.send_fds(self._sock, [_LENGTH.pack(len(body))], list(fds))
            self._sock.sendall(body)
            with self._exits:
                self._exits.wait_for(lambda: bool(self._replies), 30)
                pid = self._replies.pop(0) if self._replies else 0
        if not pid:
            raise OSError("the subject fork server has ended")
        return pid

    def wait(self, pid: int, timeout_s: float) -> int | None:
        """Return the exit status of subject ``pid`` once it ended (as Popen.returncode), or None after ``timeout_s``.

        Args:
            pid: What ``spawn`` returned.
            timeout_s: How long to wait.
        """
        with self._exits:
            self._exits.wait_for(lambda: pid in self._statuses, timeout_s)
            return self._statuses.get(pid)

    def alive(self) -> bool:
        """Whether the fork server still runs."""
        return self._proc.poll() is None

    def close(self) -> None:
        """End the fork server (its subjects die with it)."""
        self._sock.close()
        with contextlib.suppress(ProcessLookupError):
            self._proc.kill()
        self._proc.wait()


_SHARED: list[Zygote] = []
_SHARED_LOCK = threading.Lock()


def shared_zygote(env: dict[str, str]) -> Zygote | None:
    """Return this process's fork server, starting it (again) if needed; None where it cannot start.

    Args:
        env: The environment its subjects get, when it starts.
    """
    with _SHARED_LOCK:
        if _SHARED and not _SHARED[0].alive():
            _SHARED.pop().close()
        if not _SHARED:
            try:
                _SHARED.append(Zygote(env))
            except OSError:
                return None
        return _SHARED[0]


def close_shared_zygote() -> None:
    """End this process's fork server, if it runs (a test that must leave no process, say)."""
    with _SHARED_LOCK:
        while _SHARED:
            _SHARED.pop().close()


def _child(request: dict[str, Any], fds: list[int], control: socket.socket, parent: int) -> None:
    control.close()
    os.setsid()
    sock_fd, output_fd = fds
    os.dup2(output_fd, 1)
    os.dup2(output_fd, 2)
    os.close(output_fd)
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    from perflab.checking.remote import subject

    argv = [*request["argv"], "--parent-pid", str(parent)]
    argv[argv.index("--fd") + 1] = str(sock_fd)
    subject.run(argv, request["code"])


def _reap(control: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _reply(control, {"exited": pid, "status": os.waitstatus_to_exitcode(status)})


def _reply(control: socket.socket, message: dict[str, Any]) -> None:
    body = json.dumps(message).encode("utf-8")
    control.sendall(_LENGTH.pack(len(body)) + body)


def main(argv: Sequence[str] | None = None) -> int:
    """Import what subjects need, then fork one for each request until the judge hangs up.

    Args:
        argv: ``--fd N --parent-pid P``. Defaults to ``sys.argv[1:]``.
    """
    parser = argparse.ArgumentParser(prog="python -m perflab.checking.remote.zygote")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--parent-pid", type=int, required=True)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    from perflab.serving.lifetime import die_with_parent

    die_with_parent(args.parent_pid)
    for name in _WARM:
        with contextlib.suppress(ImportError):
            __import__(name)
    control = socket.socket(fileno=args.fd)
    while True:
        ready, _w, _x = select.select([control], [], [], 0.1)
        _reap(control)
        if not ready:
            continue
        head, fds, _flags, _addr = socket.recv_fds(control, 4, 2)
        if not head:
            return 0
        request = json.loads(_read_exactly(control, _LENGTH.unpack(head)[0]))
        pid = os.fork()
        if pid == 0:
            try:
                _child(request, fds, control, os.getppid())
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        _reply(control, {"pid": pid})


if __name__ == "__main__":
    sys.exit(main())
