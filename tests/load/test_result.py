"""Tests for perflab.load.result: batches aggregate exactly, and results render as text and HTML."""

from __future__ import annotations

import math

import numpy as np

from perflab.load.result import Batch, LoadResult

URL = "http://127.0.0.1:8000/ping"


def _batch(elapsed_s: float, latencies_ms: list[float], statuses: list[int],
           errors: dict[str, int] | None = None) -> Batch:
    return Batch(
        elapsed_s=elapsed_s, window_s=0.1,
        latencies_ms=np.array(latencies_ms, dtype=np.float64),
        timestamps_s=np.linspace(elapsed_s - 0.1, elapsed_s, len(latencies_ms)),
        statuses=np.array(statuses, dtype=np.uint16),
        errors=errors or {},
    )


def test_batch_counts_responses_and_failures() -> None:
    batch = _batch(0.1, [1.0, 2.0], [200, 503], {"timeout": 2, "refused": 1})
    assert batch.error_count == 3
    assert batch.count == 5


def test_from_batches_aggregates_counts_rates_and_percentiles() -> None:
    batches = [
        _batch(0.1, [1.0, 2.0, 3.0], [200, 200, 302], {"timeout": 1}),
        _batch(0.2, [4.0], [503], {"timeout": 1, "refused": 2}),
    ]
    result = LoadResult.from_batches(URL, 4, batches)
    assert result.requests == 4 + 4
    assert result.ok == 3
    assert result.status_counts == {200: 2, 302: 1, 503: 1}
    assert result.errors == {"timeout": 2, "refused": 2}
    assert result.duration_s == 0.2
    assert math.isclose(result.rps, 4 / 0.2)
    assert result.p50_ms == 2.5
    assert result.max_ms == 4.0 and result.mean_ms == 2.5
    assert result.latencies_ms.shape == result.timestamps_s.shape == result.statuses.shape == (4,)
    assert not result.aborted


def test_no_batches_give_an_empty_result() -> None:
    result = LoadResult.from_batches(URL, 1, [], aborted=True)
    assert result.requests == 0 and result.rps == 0.0 and result.duration_s == 0.0
    assert math.isnan(result.p99_ms) and math.isnan(result.max_ms) and math.isnan(result.mean_ms)
    assert result.latencies_ms.dtype == np.float64 and result.statuses.dtype == np.uint16
    assert result.aborted


def test_result_renders_as_text_and_html() -> None:
    result = LoadResult.from_batches(URL, 2, [_batch(0.5, [1.0] * 50, [200] * 50)])
    text = str(result)
    assert URL in text and "p99" in text and "50" in text and "1.00 ms" in text
    assert "stopped early" not in text
    assert "<table" in result._repr_html_()


def test_aborted_result_says_it_stopped_early() -> None:
    result = LoadResult.from_batches(URL, 2, [_batch(0.5, [1.0], [200])], aborted=True)
    assert "stopped early" in str(result)
    assert "stopped early" in result._repr_html_()
