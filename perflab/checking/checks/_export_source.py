"""What the checks of the exercise "stream_export" share: a fake cursor, and what the app sent for one request.

The checks hand the learner's ``create_app(source)`` a source of their own: a fake database
cursor that yields copies of its rows, a batch at a time, and counts the rows it has given.
They call the app through ``call_asgi``, which shows each body message as it is sent, so "how
many rows had the source given when the first row left" is a count, not a time.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from perflab.checking.checks._inprocess import build_app, call_asgi, get_scope
from perflab.checking.engine import CheckFailed, Namespace
from perflab.i18n import _, ngettext

__all__ = ["BATCH", "FAIL_AT", "FAIL_N", "EXTRA_PRIVATE", "PUBLIC", "SMALL_N", "SPECIAL_NAMES",
           "STREAM_N", "Exchange", "Source", "SourceFailed", "app_for", "described", "export", "item_problem", "make_rows",
           "public", "require_complete", "shown"]

PATH = "/export"

PUBLIC = {"id": int, "name": str, "email": str, "created_at": str}

BATCH = 50  # rows the fake cursor gives per fetch; it awaits before each batch, as a database would

SMALL_N = 40  # rows of the content checks

STREAM_N = 1000  # rows of the streaming check: about 0.1 s for the solution, most of a run

# Private columns a source may gain later; the checks add one, drawn per run, to the rows.
EXTRA_PRIVATE = ("api_token", "totp_secret", "last_login_ip", "reset_token", "internal_notes")

FAIL_N, FAIL_AT = 600, 300  # the failing source raises when asked for row FAIL_AT

# An export here takes well under 0.1 s in a notebook; judged, each ASGI message crosses to the subject
# process, and in a CI rehearsal grading a class beside a busy core (and other load) one took over 3 s.
# Past this, the app waits for something that never comes.
BOUND_S = 6.0

BODY_LIMIT = 4_000_000  # bytes kept of a body: an endless stream costs time (BOUND_S), not memory

# Quotes, backslashes and control characters break JSON written with an f-string; Bangla, Cyrillic
# and an emoji must come through the encoding unchanged.
SPECIAL_NAMES = ['Dwayne "The Rock" Johnson', "C:\\Users\\admin\\", "first line\nsecond line", "tab\there",
                 "রবীন্দ্রনাথ ঠাকুর", "Фёдор Достоевский", "Zoë 🙂 O'Brien"]

_START = datetime(2026, 3, 1, 9, 30, 15, 250000, tzinfo=timezone.utc)

Row = dict[str, Any]
_EMAIL = re.compile(rb"user\d{5}@example\.com")  # every row's email is unique: it tells the rows apart


class SourceFailed(RuntimeError):
    """What the failing fake cursor raises part-way, as a database whose connection is lost."""


def make_rows(count: int, names: list[str] | None = None) -> list[Row]:
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
class Source:
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
class Exchange:
    """What the app sent for one request, as the ASGI server saw it."""

    status: int | None = None
    media_type: str = ""
    body: bytearray = field(default_factory=bytearray)
    finished: bool = False  # the app sent the last body message
    error: BaseException | None = None  # what the app raised, if it did
    given_at_first_row: int | None = None  # rows the source had given when the first row was sent
    sent_rows: set[bytes] = field(default_factory=set)  # the emails of the rows seen in the body so far
    lag: int = 0  # the most rows the source had given beyond those sent, when a row was sent

    def record(self, message: dict[str, Any], source: Source, marker: bytes) -> None:
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
            new = set(_EMAIL.findall(tail)) - self.sent_rows
            if new:  # a row leaves: the source should not have given more rows than have left
                self.sent_rows |= new
                self.lag = max(self.lag, source.given - len(self.sent_rows))
            self.finished = not message.get("more_body", False)

    def parsed(self) -> Any:
        """Return the body parsed as JSON; raise ValueError if it is not JSON."""
        return json.loads(bytes(self.body).decode("utf-8"))


def app_for(ns: Namespace, source: Source) -> Any:
    """Return the learner's app over ``source``.

    Args:
        ns: The learner's objects.
        source: The rows to export.
    """
    return build_app(ns, "create_app", "def create_app(source) -> FastAPI", source)


async def export(ns: Namespace, source: Source, app: Any = None) -> Exchange:
    """Call ``GET /export`` on the learner's app for ``source`` and return what the app sent.

    Args:
        ns: The learner's objects.
        source: The rows to export; its count of rows given starts again at 0.
        app: An app already built over ``source``, for a second request. Defaults to a new one.
    """
    app, source.given = app or app_for(ns, source), 0
    exchange = Exchange()
    marker = json.dumps(source.rows[0]["email"]).encode() if source.rows else b"\x00"
    scope = get_scope(PATH, [(b"host", b"testserver"), (b"accept", b"application/json")])
    try:
        await call_asgi(app, scope, lambda message: exchange.record(message, source, marker), BOUND_S)
    except asyncio.TimeoutError:
        raise CheckFailed(_("GET /export had not finished after {seconds:g} s, though it needs well under "
                            "a second here.", seconds=BOUND_S), input=described(source),
                          expected=_("a complete response"), actual=shown(exchange)) from None
    except Exception as error:  # ends the response early: some checks expect it, the others report it
        exchange.error = error
    return exchange


def described(source: Source) -> str:
    if source.fail_at is not None:
        return ngettext("GET /export; the source fails after {given} of {n} row",
                        "GET /export; the source fails after {given} of {n} rows", len(source.rows), given=source.fail_at)
    return ngettext("GET /export; the source gives {n} row", "GET /export; the source gives {n} rows", len(source.rows))


def shown(exchange: Exchange, at: int = 0, before: int = 120, after: int = 80) -> str:
    """Return the status and the part of the body around character ``at``: where the JSON parser stopped."""
    text = bytes(exchange.body).decode("utf-8", errors="replace")
    start, end = max(0, at - before), at + after
    return f"{exchange.status} {'…' * (start > 0)}{text[start:end]}{'…' * (end < len(text))}"


def require_complete(exchange: Exchange, source: Source, invalid: str = "") -> Any:
    """Return the parsed body of a complete 200 answer, or fail saying what went wrong.

    Args:
        exchange: What the app sent.
        source: The request's source.
        invalid: The message for a body that is not JSON. Defaults to one about encoders and commas.
    """
    where = described(source)
    if exchange.error is not None:
        raise CheckFailed(_("Your app raised an exception while it answered GET /export: {error}",
                            error=f"{type(exchange.error).__name__}: {exchange.error}"),
                          input=where, expected=_("a complete response"), actual=shown(exchange))
    if exchange.status != 200 or not exchange.finished:
        raise CheckFailed(_("GET /export must answer 200 with a complete body."), input=where, expected="200",
                          actual=shown(exchange))
    try:
        return exchange.parsed()
    except ValueError as error:
        if exchange.media_type == "application/jsonl":
            invalid = _("The body is JSON Lines, one object per line: FastAPI sends that when a route yields "
                        "items and has no response_class. This export must be one JSON array.")
        message = invalid or _("The body is not valid JSON ({error}). Let a JSON encoder write each row, and put "
                               "one comma between rows: none before the first, none after the last.", error=error)
        raise CheckFailed(message, input=where, expected=_("one JSON array"),
                          actual=shown(exchange, getattr(error, "pos", 0))) from None


def public(row: Row) -> dict[str, Any]:
    return {"id": row["id"], "name": row["name"], "email": row["email"], "created_at": row["created_at"].isoformat()}


def item_problem(item: Any, row: Row) -> str:
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
    if not same_instant(item["created_at"], row["created_at"]):
        return _("created_at is {value}", value=item["created_at"])
    if [item[k] for k in ("id", "name", "email")] != [row[k] for k in ("id", "name", "email")]:
        return _("a different id, name or email")
    return ""


def same_instant(text: str, moment: datetime) -> bool:
    """Return whether ``text`` is an ISO 8601 date and time, with its zone, for ``moment``."""
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return False
    # ISO 8601 joins date and time with a T; without a zone, the time is not an instant.
    return text[10:11] == "T" and parsed.tzinfo is not None and parsed == moment

