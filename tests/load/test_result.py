"""Tests for perflab.load.result: batches aggregate exactly, and results render as text and HTML."""

from __future__ import annotations

import math

import numpy as np

from perflab.load.result import Batch, LoadResult, Mode, latency_histogram

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
    batch = _batch(0.1, [1.0, 2.0, 5.0, 5.0, 0.1], [200, 503, 0, 0, 0], {"timeout": 2, "refused": 1})
    assert batch.error_count == 3
    assert batch.count == 5


def test_from_batches_keeps_failures_in_the_distribution_at_their_time_to_failure() -> None:
    batches = [
        _batch(0.1, [1.0, 2.0, 3.0, 500.0], [200, 200, 302, 0], {"timeout": 1}),
        _batch(0.2, [4.0, 500.0, 0.2, 0.2], [503, 0, 0, 0], {"timeout": 1, "refused": 2}),
    ]
    result = LoadResult.from_batches(URL, Mode(concurrency=4), batches)
    assert result.requests == 8 and result.failed == 4
    assert result.ok == 3
    assert result.status_counts == {200: 2, 302: 1, 503: 1}
    assert result.errors == {"timeout": 2, "refused": 2}
    assert result.duration_s == 0.2
    assert math.isclose(result.rps, 4 / 0.2)  # responses per second, like wrk
    assert result.max_ms == 500.0 and result.p90_ms > 400  # the timeouts are the tail, not left out
    assert math.isclose(result.p50_ms, 2.0, rel_tol=1e-3)  # an HDR histogram: three significant digits
    assert result.latencies_ms.shape == result.timestamps_s.shape == result.statuses.shape == (8,)
    assert "time to failure" in str(result)
    assert not result.aborted


def test_the_histogram_keeps_three_significant_digits_of_every_latency() -> None:
    latencies_ms = np.random.default_rng(7).exponential(5.0, 20_000)
    histogram = latency_histogram(latencies_ms)
    assert histogram.get_total_count() == 20_000
    for percent in (50, 90, 99, 99.9):
        exact = np.percentile(latencies_ms, percent)
        assert math.isclose(histogram.get_value_at_percentile(percent) / 1000, exact, rel_tol=2e-3)


def test_open_loop_results_say_the_rate_asked_and_the_rate_sent() -> None:
    batch = Batch(elapsed_s=1.1, window_s=0.1, latencies_ms=np.ones(100), timestamps_s=np.linspace(0, 0.99, 100),
                  statuses=np.full(100, 200, dtype=np.uint16), errors={}, sent_s=1.0)
    result = LoadResult.from_batches(URL, Mode(rate=100.0), [batch])
    assert result.concurrency is None and math.isclose(result.sent_rate, 100.0)
    assert "open loop, 100 req/s asked" in str(result) and "100.0 req/s" in str(result)
    assert math.isclose(result.percentile_ms(99.9), 1.0, rel_tol=1e-3)


def test_no_batches_give_an_empty_result() -> None:
    result = LoadResult.from_batches(URL, Mode(concurrency=1), [], aborted=True)
    assert result.requests == 0 and result.rps == 0.0 and result.duration_s == 0.0
    assert math.isnan(result.p99_ms) and math.isnan(result.max_ms) and math.isnan(result.mean_ms)
    assert result.latencies_ms.dtype == np.float64 and result.statuses.dtype == np.uint16
    assert result.aborted


def test_result_renders_as_text_and_html() -> None:
    result = LoadResult.from_batches(URL, Mode(concurrency=2), [_batch(0.5, [1.0] * 50, [200] * 50)])
    text = str(result)
    assert URL in text and "p99" in text and "50" in text and "1.00 ms" in text
    assert "stopped early" not in text
    assert "<table" in result._repr_html_()


def test_aborted_result_says_it_stopped_early() -> None:
    result = LoadResult.from_batches(URL, Mode(concurrency=2), [_batch(0.5, [1.0], [200])], aborted=True)
    assert "stopped early" in str(result)
    assert "stopped early" in result._repr_html_()
