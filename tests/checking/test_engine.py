from __future__ import annotations

import sys
import threading
import time

from perflab.checking.engine import Check, CheckFailed, Namespace, at_end_of_run, run_checks


def _report(*checks: Check, objects: dict[str, object] | None = None):  # type: ignore[no-untyped-def]
    return run_checks("demo", list(checks), Namespace(objects or {}))


def test_a_failure_shows_input_expected_and_actual() -> None:
    def wrong(ns: Namespace) -> None:
        raise CheckFailed("squares are wrong", input=3, expected=9, actual=6)

    outcome = _report(Check("squares", wrong)).outcomes[0]
    assert (outcome.passed, outcome.input, outcome.expected, outcome.actual) == (False, "3", "9", "6")


def test_an_endless_loop_is_stopped_in_time() -> None:
    def spin(ns: Namespace) -> None:
        while True:
            pass

    start = time.perf_counter()
    outcome = _report(Check("spin", spin, timeout_s=0.5)).outcomes[0]
    assert not outcome.passed and "0.5 s" in outcome.message
    assert time.perf_counter() - start < 5
    time.sleep(0.2)
    assert not [t for t in threading.enumerate() if t.name.startswith("perflab-check-spin")]


def test_a_blocked_event_loop_times_out_and_output_comes_back() -> None:
    async def blocks(ns: Namespace) -> None:
        time.sleep(1.5)

    stdout = sys.stdout
    outcome = _report(Check("blocks", blocks, timeout_s=0.3)).outcomes[0]
    assert not outcome.passed and sys.stdout is stdout


def test_what_a_stuck_check_started_is_released_with_the_verdict() -> None:
    released: list[str] = []

    def release() -> None:
        released.append("server")

    async def starts_then_blocks(ns: Namespace) -> None:
        at_end_of_run(release)
        at_end_of_run(release)  # once each, however often asked
        time.sleep(1.0)  # blocks its loop: the thread outlives the verdict

    report = _report(Check("stuck", starts_then_blocks, timeout_s=0.2), Check("next", lambda ns: None))
    assert released == ["server"]  # already, though the stuck thread still runs
    assert [o.passed for o in report.outcomes] == [False, False]
    time.sleep(1.0)
    assert released == ["server"]


def test_exit_exceptions_and_missing_names_become_verdicts() -> None:
    report = _report(
        Check("exit", lambda ns: sys.exit(3)),
        Check("raise", lambda ns: 1 / 0),
        Check("missing", lambda ns: ns.require("app", "a FastAPI app")),
    )
    messages = [o.message for o in report.outcomes]
    assert "sys.exit" in messages[0] and "ZeroDivisionError" in messages[1] and "`app`" in messages[2]
    assert not report.passed


def test_megabytes_of_prints_are_kept_short() -> None:
    def chatty(ns: Namespace) -> None:
        print("x" * 5_000_000)
        raise CheckFailed("no")

    outcome = _report(Check("chatty", chatty)).outcomes[0]
    assert not outcome.passed


def test_report_json_is_stable() -> None:
    report = _report(Check("fine", lambda ns: None))
    data = report.to_json()
    assert set(data) == {"id", "passed", "checks", "duration_s"} and data["passed"] is True
    assert set(data["checks"][0]) == {"name", "passed", "message", "input", "expected", "actual"}


def test_report_renders_text_and_html() -> None:
    report = _report(Check("fine", lambda ns: None), Check("bad", lambda ns: 1 / 0))
    assert "✓ fine" in str(report) and "✗ bad" in str(report)
    assert "<table" in report._repr_html_()


def test_no_checks_is_not_a_pass() -> None:
    assert not _report().passed


def test_the_html_report_is_left_aligned_coloured_and_shows_dollars_as_they_are() -> None:
    def wrong(ns: Namespace) -> None:
        raise CheckFailed("the hash is wrong", input="$argon2id$v=19$m=65536", expected="<b>", actual="200")

    page = _report(Check("hashes", wrong), Check("fine", lambda ns: None))._repr_html_()
    assert "tex2jax_ignore" in page and "mathjax_ignore" in page  # no maths typesetting of "$...$"
    assert "$argon2id$v=19$m=65536" in page and "&lt;b&gt;" in page  # shown as given, escaped
    assert page.count("text-align:left") >= 4  # JupyterLab right-aligns table cells otherwise
    assert "#cf222e" in page.split("</div>")[0]  # the verdict line itself is red when a check failed
