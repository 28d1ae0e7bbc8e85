"""Checks for the exercise "stream_export": ``GET /export`` streams a source's rows as one JSON array.

The checks hand the learner's ``create_app(source)`` a source of their own: a fake database
cursor that yields copies of its rows, a batch at a time, and counts the rows it has given.
They call the app in-process through plain ASGI, not through httpx, whose ASGI transport
collects the whole body before it answers: each body message the app sends is seen as it is
sent, so "how many rows had the source given when the first row left" is a count, not a time.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from asgi_lifespan import LifespanManager

from perflab.checking import Check, CheckFailed, Namespace
from perflab.i18n import _

__all__ = ["CHECKS", "MAX_SHARE_BEFORE_FIRST_ROW"]

PATH = "/export"
PUBLIC = {"id": int, "name": str, "email": str, "created_at": str}
BATCH = 50  # rows the fake cursor gives per fetch; it awaits before each batch, as a database would
SMALL_N = 40  # rows of the content checks
STREAM_N = 1000  # rows of the streaming check: about 0.1 s for the solution, most of a run
# When the first row leaves the app, the source may have given at most this share of its rows.
# Counted, not timed, so it is the same on any machine: 1 of 1,000 for one chunk per row, 50 for
# the answer that sends 50 rows per chunk, 1,000 or more for every answer that reads all rows first.
MAX_SHARE_BEFORE_FIRST_ROW = 0.5
FAIL_N, FAIL_AT = 600, 300  # the failing source raises when asked for row FAIL_AT
BOUND_S = 3.0  # an export here takes well under 0.1 s; past this, the app waits for something that never comes
BODY_LIMIT = 4_000_000  # bytes kept of a body: an endless stream costs time (BOUND_S), not memory
# Quotes, backslashes and control characters break JSON written with an f-string; Bangla, Cyrillic
# and an emoji must come through the encoding unchanged.
SPECIAL_NAMES = ['Dwayne "The Rock" Johnson', "C:\\Users\\admin\\", "first line\nsecond line", "tab\there",
                 "রবীন্দ্রনাথ ঠাকুর", "Фёдор Достоевский", "Zoë 🙂 O'Brien"]
_START = datetime(2026, 3, 1, 9, 30, 15, 250000, tzinfo=timezone.utc)
Row = dict[str, Any]


class SourceFailed(RuntimeError):
    """What the failing fake cursor raises part-way, as a database whose connection is lost."""


def _rows(count: int, names: list[str] | None = None) -> list[Row]:
    """Return ``count`` user rows as a database gives them, password hash included.

    Args:
        count: How many rows.
        names: The names to use, in turn. Defaults to plain ones.
    """
    return [
        {"id": 1000 + 7 * i, "name": names[i % len(names)] if names else f"User {i}",
         "email": f"user{i:05d}@example.com", "password_hash": f"$argon2id$v=19$m=65536,t=3,p=4${i:032x}",
         "created_at": _START + timedelta(days=i, minutes=13 * i)}
        for i in range(count)
    ]


@dataclass
class _Source:
    """A fake database cursor factory: each call returns a new async iterator over ``rows``.

    Args:
        rows: What it gives.
        fail_at: The index of the row at which it raises SourceFailed instead. Defaults to never.
    """

    rows: list[Row]
    fail_at: int | None = None
    calls: int = 0
    given: int = 0

    def __call__(self) -> AsyncIterator[Row]:
        self.calls += 1
        return self._cursor()

    async def _cursor(self) -> AsyncIterator[Row]:
        for index, row in enumerate(self.rows):
            if index % BATCH == 0:
                await asyncio.sleep(0)  # the next batch comes from the database
            if index == self.fail_at:
                raise SourceFailed(_("the database connection was lost"))
            self.given += 1
            yield dict(row)  # a copy: the learner's code may pop fields from it


@dataclass
class _Exchange:
    """What the app sent for one request, as the ASGI server saw it."""

    status: int | None = None
    media_type: str = ""
    body: bytearray = field(default_factory=bytearray)
    finished: bool = False  # the app sent the last body message
    error: BaseException | None = None  # what the app raised, if it did
    given_at_first_row: int | None = None  # rows the source had given when the first row was sent

    def record(self, message: dict[str, Any], source: _Source, marker: bytes) -> None:
        """Take in one message the app sends.

        Args:
            message: The ASGI message.
            source: The request's source, to read how many rows it had given.
            marker: Bytes that only the first row's JSON holds.
        """
        if message["type"] == "http.response.start":
            self.status = message["status"]
            headers = {bytes(k).lower(): bytes(v) for k, v in message.get("headers", [])}
            self.media_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
        elif message["type"] == "http.response.body":
            chunk = bytes(message.get("body", b""))
            tail = bytes(self.body[-len(marker):]) + chunk  # the marker may straddle two chunks
            self.body += chunk[: max(0, BODY_LIMIT - len(self.body))]
            if self.given_at_first_row is None and marker in tail:
                self.given_at_first_row = source.given
            self.finished = not message.get("more_body", False)

    def parsed(self) -> Any:
        """Return the body parsed as JSON; raise ValueError if it is not JSON."""
        return json.loads(bytes(self.body).decode("utf-8"))


def _scope() -> dict[str, Any]:
    return {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"}, "http_version": "1.1",
            "method": "GET", "scheme": "http", "path": PATH, "raw_path": PATH.encode(), "root_path": "",
            "query_string": b"", "headers": [(b"host", b"testserver"), (b"accept", b"application/json")],
            "client": ("127.0.0.1", 50000), "server": ("testserver", 80)}


def _build_app(ns: Namespace, source: _Source) -> Any:
    """Return the learner's ``create_app(source)``, or fail if it returns no app."""
    create_app = ns.require("create_app", "def create_app(source) -> FastAPI")
    app = create_app(source)
    if app is None or not callable(app):
        raise CheckFailed(_("`create_app(source)` must return the FastAPI app."), input="create_app(source)",
                          expected="FastAPI()", actual=repr(app))
    return app


async def _export(ns: Namespace, source: _Source) -> _Exchange:
    """Call ``GET /export`` on the learner's app for ``source`` and return what the app sent.

    Args:
        ns: The learner's objects.
        source: The rows to export.
    """
    app, exchange = _build_app(ns, source), _Exchange()
    marker = json.dumps(source.rows[0]["email"]).encode() if source.rows else b"\x00"
    requested = False

    async def receive() -> dict[str, Any]:
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected until the app is done
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        exchange.record(message, source, marker)

    async with LifespanManager(app, startup_timeout=BOUND_S) as manager:
        try:
            await asyncio.wait_for(manager.app(_scope(), receive, send), BOUND_S)
        except asyncio.TimeoutError:
            raise CheckFailed(_("GET /export had not finished after {seconds:g} s, though it needs well under "
                                "a second here.", seconds=BOUND_S), input=_described_source(source),
                              expected=_("a complete response"), actual=_shown(exchange)) from None
        except Exception as error:  # ends the response early: some checks expect it, the others report it
            exchange.error = error
    return exchange


def _described_source(source: _Source) -> str:
    if source.fail_at is not None:
        return _("GET /export; the source fails after {given} of {count} rows", given=source.fail_at,
                 count=len(source.rows))
    return _("GET /export; the source gives {count} rows", count=len(source.rows))


def _shown(exchange: _Exchange, at: int = 0, before: int = 120, after: int = 80) -> str:
    """Return the status and the part of the body around character ``at``: where the JSON parser stopped."""
    text = bytes(exchange.body).decode("utf-8", errors="replace")
    start, end = max(0, at - before), at + after
    return f"{exchange.status} {'…' * (start > 0)}{text[start:end]}{'…' * (end < len(text))}"


def _require_complete(exchange: _Exchange, source: _Source, invalid: str = "") -> Any:
    """Return the parsed body of a complete 200 answer, or fail saying what went wrong.

    Args:
        exchange: What the app sent.
        source: The request's source.
        invalid: The message for a body that is not JSON. Defaults to one about encoders and commas.
    """
    where = _described_source(source)
    if exchange.error is not None:
        raise CheckFailed(_("Your app raised an exception while it answered GET /export: {error}",
                            error=f"{type(exchange.error).__name__}: {exchange.error}"),
                          input=where, expected=_("a complete response"), actual=_shown(exchange))
    if exchange.status != 200 or not exchange.finished:
        raise CheckFailed(_("GET /export must answer 200 with a complete body."), input=where, expected="200",
                          actual=_shown(exchange))
    try:
        return exchange.parsed()
    except ValueError as error:
        if exchange.media_type == "application/jsonl":
            invalid = _("The body is JSON Lines, one object per line: FastAPI sends that when a route yields "
                        "items and has no response_class. This export must be one JSON array.")
        message = invalid or _("The body is not valid JSON ({error}). Let a JSON encoder write each row, and put "
                               "one comma between rows: none before the first, none after the last.", error=error)
        raise CheckFailed(message, input=where, expected=_("one JSON array"),
                          actual=_shown(exchange, getattr(error, "pos", 0))) from None


def _public(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "email": row["email"], "created_at": row["created_at"].isoformat()}


def _item_problem(item: Any, row: Row) -> str:
    """Return what is wrong with one element of the array, or an empty string.

    Args:
        item: The element the app sent.
        row: The source's row it stands for.
    """
    if not isinstance(item, dict) or set(item) != set(PUBLIC):
        return _("fields {fields}", fields=sorted(item) if isinstance(item, dict) else type(item).__name__)
    for name, kind in PUBLIC.items():
        if not isinstance(item[name], kind) or isinstance(item[name], bool):
            return _("{field} is {kind}", field=name, kind=type(item[name]).__name__)
    if not _same_instant(item["created_at"], row["created_at"]):
        return _("created_at is {value}", value=item["created_at"])
    if [item[k] for k in ("id", "name", "email")] != [row[k] for k in ("id", "name", "email")]:
        return _("a different id, name or email")
    return ""


def _same_instant(text: str, moment: datetime) -> bool:
    """Return whether ``text`` is an ISO 8601 date and time, with its zone, for ``moment``."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return False
    # ISO 8601 joins date and time with a T; without a zone, the time is not an instant.
    return text[10:11] == "T" and parsed.tzinfo is not None and parsed == moment


async def sends_public_fields(ns: Namespace) -> None:
    """Fail unless the body is one JSON array of every row, in order, with exactly the public fields.

    Args:
        ns: The learner's objects.
    """
    source = _Source(_rows(SMALL_N))
    items = _require_complete(await _export(ns, source), source)
    if not isinstance(items, list) or len(items) != SMALL_N:
        count = len(items) if isinstance(items, list) else _("not an array")
        raise CheckFailed(_("The body must be one JSON array with one element per row of the source."),
                          input=_described_source(source), expected=SMALL_N, actual=count)
    for index, (item, row) in enumerate(zip(items, source.rows)):
        if problem := _item_problem(item, row):
            raise CheckFailed(_("Element {index} of the array does not match row {index} of the source: {problem}.",
                                index=index, problem=problem),
                              input=_described_source(source), expected=_public(row), actual=item)


async def answers_json_media_type(ns: Namespace) -> None:
    """Fail unless the Content-Type is application/json.

    Args:
        ns: The learner's objects.
    """
    source = _Source(_rows(SMALL_N))
    exchange = await _export(ns, source)
    if exchange.media_type != "application/json":
        raise CheckFailed(_("Clients read the Content-Type to know how to parse the body: one JSON array is "
                            "application/json. StreamingResponse has no media type unless you give it one."),
                          input=_described_source(source), expected="application/json",
                          actual=exchange.media_type or _("no Content-Type"))


async def hides_password_hash(ns: Namespace) -> None:
    """Fail if the body holds the field password_hash, or any row's hash.

    Args:
        ns: The learner's objects.
    """
    source = _Source(_rows(SMALL_N))
    exchange = await _export(ns, source)
    body = bytes(exchange.body)
    leaked = [row["password_hash"] for row in source.rows if row["password_hash"].encode() in body]
    if b"password_hash" in body or leaked:
        raise CheckFailed(_("The export sends password hashes. Send only the fields of `PublicUser`: "
                            "validate each row with the model, and write the model, not the row."),
                          input=_described_source(source), expected=_("no password_hash"),
                          actual=_("hashes sent: {count}, the first: {hash}", count=len(leaked), hash=leaked[0])
                          if leaked else '"password_hash"')


async def keeps_special_names(ns: Namespace) -> None:
    """Fail unless names with quotes, backslashes, line breaks and non-ASCII letters come back unchanged.

    Args:
        ns: The learner's objects.
    """
    source = _Source(_rows(len(SPECIAL_NAMES), SPECIAL_NAMES))
    names = json.dumps(SPECIAL_NAMES[:3], ensure_ascii=False)
    items = _require_complete(await _export(ns, source), source, invalid=_(
        "With names such as {names}, the body is no longer valid JSON. A JSON encoder escapes quotes, "
        "backslashes and line breaks; an f-string does not.", names=names))
    sent = [item.get("name") if isinstance(item, dict) else item for item in items] if isinstance(items, list) \
        else items
    if sent != SPECIAL_NAMES:
        raise CheckFailed(_("Every name must come back exactly as the source gave it."),
                          input=_described_source(source), expected=SPECIAL_NAMES, actual=sent)


async def answers_empty_array(ns: Namespace) -> None:
    """Fail unless an empty source gives exactly the empty array ``[]``.

    Args:
        ns: The learner's objects.
    """
    source = _Source([])
    exchange = await _export(ns, source)
    items = _require_complete(exchange, source, invalid=_("With no rows, the body is not valid JSON. Send the "
                                                          "opening [ and the closing ] whether or not rows come."))
    if items != []:
        raise CheckFailed(_("When the source has no rows, the export is the empty array: []."),
                          input=_described_source(source), expected="[]", actual=_shown(exchange))


async def streams_while_reading(ns: Namespace) -> None:
    """Fail unless the first row leaves while the source has given at most half of its rows.

    Args:
        ns: The learner's objects.
    """
    source = _Source(_rows(STREAM_N))
    exchange = await _export(ns, source)
    _require_complete(exchange, source)
    given, allowed = exchange.given_at_first_row, int(MAX_SHARE_BEFORE_FIRST_ROW * STREAM_N)
    where = _("GET /export; the source gives {count} rows, {batch} per fetch", count=STREAM_N, batch=BATCH)
    if given is None:
        raise CheckFailed(_("The body never held the first row of the source."), input=where,
                          expected=_public(source.rows[0]), actual=_shown(exchange))
    if given > allowed:
        raise CheckFailed(_("The first row left only after the source had given {given} of its {count} rows: the "
                            "export reads every row (into a list, or to count them) before it sends anything. "
                            "Send each row as soon as the source gives it.", given=given, count=STREAM_N),
                          input=where, expected=_("at most {allowed} rows given when the first row leaves",
                                                  allowed=allowed),
                          actual=_("rows given: {given}", given=given))


async def reads_source_once(ns: Namespace) -> None:
    """Fail unless one request calls ``source()`` once and reads each row once.

    Args:
        ns: The learner's objects.
    """
    source = _Source(_rows(SMALL_N))
    exchange = await _export(ns, source)
    _require_complete(exchange, source)
    if source.calls != 1 or source.given != SMALL_N:
        raise CheckFailed(_("One request must call `source()` once and read each row once: on a real database, "
                            "every extra pass runs the whole query again."), input=_described_source(source),
                          expected=_("calls: {calls}, rows read: {given}", calls=1, given=SMALL_N),
                          actual=_("calls: {calls}, rows read: {given}", calls=source.calls, given=source.given))


async def fails_visibly(ns: Namespace) -> None:
    """Fail if a source that raises part-way still gives a 200 whose body is valid JSON.

    Args:
        ns: The learner's objects.
    """
    source = _Source(_rows(FAIL_N), fail_at=FAIL_AT)
    exchange = await _export(ns, source)
    try:
        exchange.parsed()
    except ValueError:
        return  # the array never closes: the client cannot take it for a whole export
    if exchange.status is not None and exchange.status < 300:
        raise CheckFailed(_("The source failed part-way, yet the response ended as valid JSON, with status "
                            "{status}: a client takes it for the whole export. Do not catch the source's "
                            "exception to close the array: let it through, and the server breaks the "
                            "response off, so the client sees an error.", status=exchange.status),
                          input=_described_source(source), expected=_("an incomplete body or an error status"),
                          actual=_shown(exchange, len(exchange.body)))


CHECKS: list[Check] = [
    Check(title="sends every row's public fields as one JSON array", run=sends_public_fields),
    Check(title="answers with media type application/json", run=answers_json_media_type),
    Check(title="never sends a password hash", run=hides_password_hash),
    Check(title="keeps quotes, backslashes, line breaks and non-ASCII names intact", run=keeps_special_names),
    Check(title="answers [] when there are no rows", run=answers_empty_array),
    Check(title="streams while the source is still reading", run=streams_while_reading),
    Check(title="reads the source once per request", run=reads_source_once),
    Check(title="does not pass a failed export off as complete", run=fails_visibly),
]
