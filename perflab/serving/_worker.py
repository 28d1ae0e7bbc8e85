"""One server worker: ``python -m perflab.serving._worker``, started by :func:`perflab.serving.processes.serve_process`.

It serves an already bound, listening socket that the parent passed by file
descriptor, and writes ``READY`` to a pipe once the app's startup has finished.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import socket
import sys
import traceback
from pathlib import Path

import uvicorn
from uvicorn.importer import ImportFromStringError, import_from_string

from perflab.serving.lifetime import die_with_parent
from perflab.i18n import _

__all__ = ["load_target", "main"]


class _ReadyServer(uvicorn.Server):
    """A uvicorn server that tells the parent, through a pipe, when it accepts connections."""

    def __init__(self, config: uvicorn.Config, ready_fd: int) -> None:
        super().__init__(config)
        self._ready_fd = ready_fd

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            os.write(self._ready_fd, b"READY\n")
            os.close(self._ready_fd)


def load_target(target: str) -> object:
    """Import ``"pkg.mod:attr"`` or ``"path/to/file.py:attr"`` and return the attribute.

    Args:
        target: The import string; the part after the last colon may be dotted.
    """
    module_part, _, attr = target.rpartition(":")
    if not module_part.endswith(".py"):
        return import_from_string(target)
    path = Path(module_part).resolve()
    # Siblings of the file must import the way they would with `python file.py`.
    sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    obj: object = module
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def _print_load_error(exc: BaseException) -> None:
    """Print why the target failed to import, without our own and importlib's frames."""
    if isinstance(exc, ImportFromStringError):
        print(_("Cannot load the app: {error}", error=exc), file=sys.stderr)
        return
    tb = traceback.TracebackException.from_exception(exc)
    noise = (__file__, "<frozen ", str(Path(uvicorn.__file__).parent))
    tb.stack = traceback.StackSummary.from_list(
        [f for f in tb.stack if not f.filename.startswith(noise)]
    )
    print("".join(tb.format()), end="", file=sys.stderr)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m perflab.serving._worker")
    parser.add_argument("target")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--ready-fd", type=int, required=True)
    parser.add_argument("--parent-pid", type=int, required=True)
    parser.add_argument("--http", default="auto")
    parser.add_argument("--loop", default="auto")
    parser.add_argument("--log-level", default="warning")
    parser.add_argument("--options", default="{}", help="more uvicorn.Config settings, as JSON")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Serve the target on the inherited socket until SIGTERM.

    Args:
        argv: Command-line arguments. Defaults to ``sys.argv[1:]``.
    """
    args = _parse(argv)
    die_with_parent(args.parent_pid)
    try:
        app = load_target(args.target)
    except Exception as exc:  # the learner's module: show its error, not ours
        _print_load_error(exc)
        return 1
    # fileno= lets Python read family, type and proto back from the kernel, so asyncio
    # recognises a TCP socket and sets TCP_NODELAY on every accepted connection.
    sock = socket.socket(fileno=args.fd)
    # Set on the shared listener, so every accepted connection inherits it: a response
    # written in two parts must not wait for the client's delayed ACK (the 44 ms stall
    # of `uvicorn --workers`, uvicorn issue #3149).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    settings = {
        "access_log": False,  # a log line per request would be the benchmark's bottleneck
        "log_level": args.log_level,
        "timeout_graceful_shutdown": 3,
        **json.loads(args.options),
    }
    config = uvicorn.Config(app, http=args.http, loop=args.loop, **settings)  # type: ignore[arg-type]
    server = _ReadyServer(config, args.ready_fd)
    server.run(sockets=[sock])
    return 0 if server.started else 3


if __name__ == "__main__":
    sys.exit(main())
