"""The recorder streams every request, failed ones included, as JSON lines with packed arrays."""

from __future__ import annotations

import array
import json
import time

from perflab.load.recorder import Recorder, pack, unpack


def test_packed_arrays_come_back_exactly() -> None:
    values = array.array("d", [0.1, 2.5, 1e-9])
    assert unpack(pack(values), "d") == values


def test_a_failure_is_a_request_with_status_0_at_its_time_to_failure() -> None:
    lines: list[bytes] = []
    t0 = time.perf_counter()
    rec = Recorder(t0, lines.append)
    rec.response(t0, 200)
    rec.failure(t0, TimeoutError())
    rec.flush(done=True)
    line = json.loads(lines[0])
    assert list(unpack(line["statuses"], "H")) == [200, 0]
    assert len(unpack(line["latencies_ms"], "d")) == 2 and line["errors"] == {"timeout": 1}
    assert line["done"] is True
