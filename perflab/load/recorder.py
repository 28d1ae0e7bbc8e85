"""What the load worker records: each request's latency, start and status, streamed as JSON lines.

``pack`` and ``unpack`` carry the per-request arrays as base64 ``array`` bytes, far cheaper than
formatting floats.
"""

from __future__ import annotations

import array
import asyncio
import base64
import json
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from perflab.load.http_clients import error_kind

__all__ = ["Recorder", "pack", "unpack"]


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


class Recorder:
    """Collects results between flushes; tasks append, the flusher swaps and writes."""

    def __init__(self, t0: float, write: Callable[[bytes], object]) -> None:
        self.t0, self.write = t0, write
        self.sent_s = 0.0  # when the last request was sent, since t0
        self._reset()

    def _reset(self) -> None:
        self.latencies_ms = array.array("d")
        self.timestamps_s = array.array("d")
        self.statuses = array.array("H")
        self.errors: Counter[str] = Counter()

    def response(self, start_s: float, status: int) -> None:
        """Record a request that got ``status`` just now.

        Args:
            start_s: When it started (open loop: when it was due), a ``perf_counter`` value.
            status: Its HTTP status; 0 for no response.
        """
        self.latencies_ms.append((time.perf_counter() - start_s) * 1000.0)
        self.timestamps_s.append(start_s - self.t0)
        self.statuses.append(status)

    def failure(self, start_s: float, exc: BaseException) -> None:
        """Record a request that failed just now: status 0 at its time to failure, and its kind counted.

        Args:
            start_s: When it started (open loop: when it was due), a ``perf_counter`` value.
            exc: What it raised.
        """
        self.response(start_s, 0)
        self.errors[error_kind(exc)] += 1

    def flush(self, done: bool = False) -> None:
        """Write what was recorded since the last flush as one JSON line, and start afresh.

        Args:
            done: Whether this is the last line.
        """
        line = {
            "elapsed_s": time.perf_counter() - self.t0,
            "latencies_ms": pack(self.latencies_ms),
            "timestamps_s": pack(self.timestamps_s),
            "statuses": pack(self.statuses),
            "errors": dict(self.errors),
            "done": done,
            "sent_s": self.sent_s,
        }
        self._reset()
        self.write(json.dumps(line).encode() + b"\n")

    async def flush_every(self, interval_s: float) -> None:
        """Flush every ``interval_s`` seconds until cancelled.

        Args:
            interval_s: The time between flushes.
        """
        while True:
            await asyncio.sleep(interval_s)
            self.flush()
