"""The load generator's own process: ``python -m perflab.load._worker '<json config>'``.

It runs on its own event loop (uvloop when installed), so the load never competes with the
kernel's loop or an in-kernel server's thread. Closed loop (``concurrency``): that many tasks,
each keeping one connection and sending its next request when the last one is answered. Open
loop (``rate``, in ``perflab.load.open_loop``): requests sent when they are due, whatever the
server does, each timed from when it was due. Connections are a raw asyncio protocol parsed by
httptools, or an aiohttp session (both in ``perflab.load.http_clients``). Every ~100 ms it
writes one JSON line to stdout: a batch of results, with the per-request arrays packed as base64
``array`` bytes, far cheaper than formatting floats. A failed request is in the batch too, with
status 0 and its time to failure, and its kind is counted.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from perflab.load.http_clients import Sender, aiohttp_senders, error_kind, raw_senders
from perflab.load.open_loop import OPEN_LOOP_CONNECTIONS, Schedule, open_loop
from perflab.load.recorder import Recorder, pack, unpack
from perflab.serving.lifetime import die_with_parent

# aiohttp_senders, error_kind and raw_senders live in perflab.load.http_clients.
__all__ = ["aiohttp_senders", "error_kind", "main", "pack", "raw_senders", "run", "unpack"]

BATCH_INTERVAL_S = 0.1
# After a connection-level failure a task pauses briefly, so a dead server does not
# turn the load generator into a busy loop that starves the rest of the machine.
ERROR_BACKOFF_S = 0.005


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


async def _task(sender: Sender, budget: _Budget, rec: Recorder) -> None:
    perf = time.perf_counter
    while budget.take():
        t_start = perf()
        rec.sent_s = t_start - rec.t0
        try:
            status = await sender.send()
        except Exception as exc:  # every failure is data for the learner, not a crash
            rec.failure(t_start, exc)
            sender.reset()
            await asyncio.sleep(ERROR_BACKOFF_S)
            continue
        rec.response(t_start, status)
    sender.reset()


async def run(cfg: dict[str, Any], write: Callable[[bytes], object]) -> None:
    """Run the load described by ``cfg`` and write JSON lines through ``write``.

    Args:
        cfg: ``url``, ``concurrency``, ``duration_s`` or ``requests``, ``method``,
            ``timeout_s`` and ``client`` (``"raw"`` or ``"aiohttp"``).
        write: Where each encoded line goes, e.g. ``sys.stdout.buffer.write``.
    """
    rate = cfg.get("rate")
    connections = OPEN_LOOP_CONNECTIONS if rate else int(cfg["concurrency"])
    clients = {"aiohttp": aiohttp_senders, "raw": raw_senders}
    client = clients[cfg.get("client", "raw")]
    async with client(cfg["url"], cfg["method"], connections, float(cfg["timeout_s"])) as make:
        senders = [] if rate else [make() for _ in range(connections)]
        t0 = time.perf_counter()
        rec = Recorder(t0, write)
        duration_s = cfg.get("duration_s")
        flusher = asyncio.create_task(rec.flush_every(BATCH_INTERVAL_S))
        if rate:
            schedule = Schedule(float(rate), cfg.get("arrivals", "uniform"), duration_s, cfg.get("requests"))
            await open_loop(make, connections, schedule, rec)
        else:
            budget = _Budget(cfg.get("requests"), t0 + duration_s if duration_s else None)
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
