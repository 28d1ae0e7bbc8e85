"""The load generator's own process: ``python -m perflab.load._worker '<json config>'``.

It runs ``concurrency`` tasks on its own event loop (uvloop when installed), so the
load never competes with the kernel's loop or an in-kernel server's thread. Each task
keeps one connection: a raw asyncio protocol parsed by httptools, or an aiohttp
session (both in ``perflab.load.http_clients``). Every ~100 ms it writes one JSON line to
stdout: a batch of results, with the per-request arrays packed as base64 ``array``
bytes, far cheaper than formatting floats.
"""

from __future__ import annotations

import array
import asyncio
import base64
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from perflab.load.http_clients import Sender, aiohttp_senders, error_kind, raw_senders
from perflab.serving.lifetime import die_with_parent

# aiohttp_senders, error_kind and raw_senders live in perflab.load.http_clients.
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
