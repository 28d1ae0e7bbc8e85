"""The check engine: run an exercise's checks against a learner's objects, each one bounded in time.

A check is a plain function (sync or async) that takes a ``Namespace`` of the learner's objects
and raises ``CheckFailed`` with the input, the expected and the actual value when it fails.
Each check runs on a thread of its own with a fresh event loop, so learner code that blocks,
loops forever, prints megabytes or calls ``sys.exit`` costs one verdict, never the kernel.
"""

from __future__ import annotations

import asyncio
import ctypes
import html
import inspect
import io
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from perflab.checking.explain import explain
from perflab.i18n import _

__all__ = ["Check", "CheckFailed", "Namespace", "Outcome", "Report", "at_end_of_run", "run_checks"]

_OUTPUT_LIMIT = 2000  # characters of a learner's printed output kept for a message


class CheckFailed(Exception):
    """Raised by a check: what went wrong, for which input, what was expected and what came back.

    Args:
        message: What went wrong, already translated.
        input: The input the check used. Defaults to none.
        expected: What a right answer gives. Defaults to none.
        actual: What the learner's code gave. Defaults to none.
    """

    def __init__(self, message: str, *, input: object = "", expected: object = "", actual: object = "") -> None:
        super().__init__(message)
        self.message, self.input, self.expected, self.actual = message, _shown(input), _shown(expected), _shown(actual)


def _shown(value: object, limit: int = 300) -> str:
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Check:
    """One named check: ``title`` is its English msgid; ``run(ns)`` raises CheckFailed to fail."""

    title: str
    run: Callable[[Namespace], Any]
    timeout_s: float = 10.0


class Namespace:
    """The learner's objects by name: a notebook's globals or a module loaded from a file.

    Args:
        objects: Names to objects.
        source: Where they came from, for messages (a file name or "notebook"). Defaults to "notebook".
        code: The learner's whole code as it ran (the file, or the exercise cell), for checks that run
            it again in a fresh process or after a restart. Defaults to None: not known.

    ``subject`` is set by the judge (``perflab.checking.remote.judge``) when the objects are stubs of a
    subject process; checks that start fresh processes or read clocks then go through it.
    """

    def __init__(self, objects: Mapping[str, Any], source: str = "notebook", code: str | None = None) -> None:
        self.objects, self.source, self.code = dict(objects), source, code
        self.subject: Any = None

    def require(self, name: str, kind: str = "") -> Any:
        """Return the object called ``name``, or fail with a message that says it is missing.

        Args:
            name: The name the exercise asks for.
            kind: What it should be, e.g. "async function", shown in the message. Defaults to none.
        """
        if name not in self.objects:
            raise CheckFailed(
                _("`{name}` is not defined. Run the exercise cell, and keep the name the exercise asks for.", name=name),
                expected=kind or name, actual=_("nothing called {name}", name=name),
            )
        return self.objects[name]


@dataclass(frozen=True)
class Outcome:
    """The verdict of one check: ✓ or ✗, with the message, input, expected and actual value."""

    name: str
    passed: bool
    message: str = ""
    input: str = ""
    expected: str = ""
    actual: str = ""


@dataclass
class Report:
    """All checks of one exercise; renders as text in a terminal and as HTML in Jupyter."""

    exercise_id: str
    outcomes: list[Outcome] = field(default_factory=list)
    duration_s: float = 0.0

    @property
    def passed(self) -> bool:
        """Whether every check passed (and there was at least one)."""
        return bool(self.outcomes) and all(o.passed for o in self.outcomes)

    def to_json(self) -> dict[str, Any]:
        """Return the stable, scriptable form: ``{id, passed, checks: [{name, passed, message, …}], duration_s}``."""
        checks = [asdict(o) for o in self.outcomes]
        return {"id": self.exercise_id, "passed": self.passed, "checks": checks, "duration_s": round(self.duration_s, 3)}

    def _lines(self, outcome: Outcome) -> list[str]:
        return [outcome.message] * bool(outcome.message) + [f"{k}: {v}" for k, v in _details(outcome)]

    def __str__(self) -> str:
        verdict = _("all checks passed") if self.passed else _("some checks failed")
        lines = [f"{self.exercise_id}: {verdict} ({self.duration_s:.1f} s)"]
        for o in self.outcomes:
            lines.append(f"  {'✓' if o.passed else '✗'} {o.name}")
            lines += [f"      {line}" for line in self._lines(o) if not o.passed]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        # Left-aligned (JupyterLab right-aligns table cells), colours that read on light and dark
        # themes, and no maths typesetting: a learner's "$argon2id$..." must show as it is.
        color, mark = _mark(self.passed)
        verdict = _("all checks passed") if self.passed else _("some checks failed")
        head = (f'<div style="{_HEAD_STYLE}border-left:4px solid {color};background:{color}1f">'
                f'<span style="color:{color}">{mark}</span> {html.escape(self.exercise_id)}: '
                f'{html.escape(verdict)} <small>({self.duration_s:.1f} s)</small></div>')
        rows = "".join(_outcome_html(o) for o in self.outcomes)
        return (f'<div class="perflab-check tex2jax_ignore mathjax_ignore" style="text-align:left">{head}'
                f'<table style="border-collapse:collapse;margin:4px 0 0 0">{rows}</table></div>')


_HEAD_STYLE = "font-weight:bold;padding:4px 8px;text-align:left;"
_CELL_STYLE = "text-align:left;vertical-align:top;padding:2px 6px;border:none;"


def _details(outcome: Outcome) -> list[tuple[str, str]]:
    """Return the input, expected and actual values that a failed check names, each with its label."""
    found = [(_("input"), outcome.input), (_("expected"), outcome.expected), (_("actual"), outcome.actual)]
    return [(label, value) for label, value in found if value]


def _mark(passed: bool) -> tuple[str, str]:
    """Return the colour and the mark of a verdict: green ✓ or red ✗."""
    return ("#1a7f37", "✓") if passed else ("#cf222e", "✗")


def _outcome_html(outcome: Outcome) -> str:
    """One check as a table row: its mark, its title, and for a failure what it said, each value as code."""
    color, mark = _mark(outcome.passed)
    said = [html.escape(outcome.message)] * bool(outcome.message) + [
        f'{html.escape(label)}: <code style="white-space:pre-wrap">{html.escape(value)}</code>'
        for label, value in _details(outcome)]
    detail = "" if outcome.passed else "".join(f'<div style="margin-top:2px">{line}</div>' for line in said)
    return (f'<tr><td style="{_CELL_STYLE}color:{color};font-weight:bold">{mark}</td>'
            f'<td style="{_CELL_STYLE}">{html.escape(outcome.name)}{detail}</td></tr>')


def _raise_in_thread(thread: threading.Thread, error: type[BaseException]) -> None:
    # Only way to stop a runaway Python loop in a thread; a blocking C call finishes first.
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident or 0), ctypes.py_object(error))


class _CheckTimeout(BaseException):
    """Injected into a check thread that ran past its time."""


def _call(check: Check, namespace: Namespace) -> Any:
    result = check.run(namespace)
    return asyncio.run(result) if inspect.iscoroutine(result) else result


class _ThreadOutput(io.TextIOBase):
    """Catches what one thread prints, keeping the last part; other threads print as usual.

    A plain redirect_stdout would swap sys.stdout for the whole kernel, and a check stuck in a
    blocking call would never put it back.
    """

    def __init__(self, fallback: Any, owner: threading.Thread) -> None:
        self.fallback, self.owner, self.text = fallback, owner, ""

    def write(self, text: str) -> int:
        if threading.current_thread() is not self.owner:
            return self.fallback.write(text)
        self.text = (self.text + text)[-_OUTPUT_LIMIT:]  # megabytes of prints cost no memory
        return len(text)

    def flush(self) -> None:
        self.fallback.flush()


def _run_one(check: Check, namespace: Namespace) -> tuple[Outcome, bool]:
    """Return the check's outcome, and whether it ran out of time."""
    box: dict[str, BaseException | None] = {"error": None}

    def target() -> None:
        try:
            _call(check, namespace)
        except BaseException as exc:  # everything a learner's code can do ends up as a verdict
            box["error"] = exc

    thread = threading.Thread(target=target, name=f"perflab-check-{check.title[:20]}", daemon=True)
    saved = sys.stdout, sys.stderr
    printed = _ThreadOutput(saved[0], thread)
    sys.stdout = sys.stderr = printed
    try:
        thread.start()
        thread.join(check.timeout_s)
        if thread.is_alive():
            _raise_in_thread(thread, _CheckTimeout)
            thread.join(1.0)
    finally:
        sys.stdout, sys.stderr = saved
    if thread.is_alive() or isinstance(box["error"], _CheckTimeout):
        return Outcome(_(check.title), False, _timeout_message(check.timeout_s), actual=printed.text), True
    return _outcome(check, box["error"], printed.text), False


def _timeout_message(timeout_s: float) -> str:
    return _(
        "Did not finish within {seconds:g} s. Look for an endless loop, a blocking call such as "
        "time.sleep inside async def, or an await that never returns.",
        seconds=timeout_s,
    )


def _outcome(check: Check, error: BaseException | None, printed: str) -> Outcome:
    title = _(check.title)
    if error is None:
        return Outcome(title, True)
    if isinstance(error, CheckFailed):
        return Outcome(title, False, error.message, error.input, error.expected, error.actual)
    return Outcome(title, False, explain(error), actual=printed)


_at_end: list[Callable[[], None]] = []
_at_end_lock = threading.Lock()


def at_end_of_run(release: Callable[[], None]) -> None:
    """Have ``release`` called when the current ``run_checks`` ends, however its checks end (once each).

    A check that runs out of time may still hold what it started (a shared server, say) on its
    stuck thread: this is how that is released with the verdict, not whenever the thread ends.

    Args:
        release: Stops or closes something the checks started.
    """
    with _at_end_lock:
        if release not in _at_end:
            _at_end.append(release)


def _release_all() -> None:
    with _at_end_lock:
        releases = list(_at_end)
        _at_end.clear()
    for release in releases:
        try:
            release()
        except Exception:  # a release that fails must not hide the verdict, nor stop the others
            pass


def run_checks(exercise_id: str, checks: Sequence[Check], namespace: Namespace) -> Report:
    """Run ``checks`` one after another against ``namespace`` and return the report.

    After a check runs out of time the rest are reported as not run, so an endless loop costs
    one timeout, not one for every check.

    Args:
        exercise_id: The exercise's id, as in the manifest.
        checks: The checks, in the order the learner should read them.
        namespace: The learner's objects.
    """
    start = time.perf_counter()
    outcomes: list[Outcome] = []
    stuck = False
    try:
        for check in checks:
            if stuck:
                # The learner's code may still be running on the stuck thread; more checks would only
                # pile up threads and seconds, so the whole exercise stays within about one timeout.
                outcomes.append(Outcome(_(check.title), False, _("Not run: an earlier check did not finish.")))
                continue
            outcome, stuck = _run_one(check, namespace)
            outcomes.append(outcome)
    finally:
        _release_all()
    return Report(exercise_id, outcomes, time.perf_counter() - start)
