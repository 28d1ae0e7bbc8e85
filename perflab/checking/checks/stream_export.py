"""Checks for the exercise "stream_export": ``GET /export`` streams a source's rows as one JSON array.

Each check hands the learner's ``create_app(source)`` a fake database cursor of its own (see
``_export_source``) and counts what happens: rows given before the first row left, cursors
opened, fields sent. Nothing is timed.
"""

from __future__ import annotations

import random
import secrets
from typing import Any

import json

from perflab.checking.checks._export_source import (
    BATCH, EXTRA_PRIVATE, FAIL_AT, FAIL_N, SMALL_N, SPECIAL_NAMES, STREAM_N, Source, app_for, described, export,
    item_problem, make_rows, public, require_complete, shown,
)
from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.i18n import _, ngettext

__all__ = ["CHECKS"]


async def sends_public_fields(ns: Namespace) -> None:
    """Fail unless the body is one JSON array of every row, in order, with exactly the public fields, every time.

    Args:
        ns: The learner's objects.
    """
    source = Source(make_rows(SMALL_N))
    app = app_for(ns, source)
    for _request in range(2):  # two requests to one app: nothing may carry over from the first
        await _sends_public_fields_once(ns, source, app)


async def _sends_public_fields_once(ns: Namespace, source: Source, app: Any) -> None:
    items = require_complete(await export(ns, source, app), source)
    if not isinstance(items, list) or len(items) != SMALL_N:
        count = len(items) if isinstance(items, list) else _("not an array")
        raise CheckFailed(_("The body must be one JSON array with one element per row of the source."),
                          input=described(source), expected=SMALL_N, actual=count)
    for index, (item, row) in enumerate(zip(items, source.rows)):
        if problem := item_problem(item, row):
            raise CheckFailed(_("Element {index} of the array does not match row {index} of the source: {problem}.",
                                index=index, problem=problem),
                              input=described(source), expected=public(row), actual=item)


async def answers_json_media_type(ns: Namespace) -> None:
    """Fail unless the Content-Type is application/json.

    Args:
        ns: The learner's objects.
    """
    source = Source(make_rows(SMALL_N))
    exchange = await export(ns, source)
    if exchange.media_type != "application/json":
        raise CheckFailed(_("Clients read the Content-Type to know how to parse the body: one JSON array is "
                            "application/json. StreamingResponse has no media type unless you give it one."),
                          input=described(source), expected="application/json",
                          actual=exchange.media_type or _("no Content-Type"))


async def hides_password_hash(ns: Namespace) -> None:
    """Fail if the body holds the field password_hash, or any row's hash, or a private column added later.

    Args:
        ns: The learner's objects.
    """
    column = random.choice(EXTRA_PRIVATE)  # a column the source gains later: only PublicUser's fields may leave
    source = Source([{**row, column: secrets.token_hex(8)} for row in make_rows(SMALL_N)])
    exchange = await export(ns, source)
    body = bytes(exchange.body)
    if column.encode() in body or any(row[column].encode() in body for row in source.rows):
        raise CheckFailed(_("The export sends a private column that the source added: {column}. Send only the "
                            "fields of `PublicUser`, whatever else a row holds.", column=column),
                          input=described(source) + f" + {column}", expected=_("no {column}", column=column),
                          actual=shown(exchange))
    leaked = [row["password_hash"] for row in source.rows if row["password_hash"].encode() in body]
    if b"password_hash" in body or leaked:
        raise CheckFailed(_("The export sends password hashes. Send only the fields of `PublicUser`: "
                            "validate each row with the model, and write the model, not the row."),
                          input=described(source), expected=_("no password_hash"),
                          actual=_("hashes sent: {count}, the first: {hash}", count=len(leaked), hash=leaked[0])
                          if leaked else '"password_hash"')


async def keeps_special_names(ns: Namespace) -> None:
    """Fail unless names with quotes, backslashes, line breaks and non-ASCII letters come back unchanged.

    Args:
        ns: The learner's objects.
    """
    source = Source(make_rows(len(SPECIAL_NAMES), SPECIAL_NAMES))
    names = json.dumps(SPECIAL_NAMES[:3], ensure_ascii=False)
    items = require_complete(await export(ns, source), source, invalid=_(
        "With names such as {names}, the body is no longer valid JSON. A JSON encoder escapes quotes, "
        "backslashes and line breaks; an f-string does not.", names=names))
    sent = [item.get("name") if isinstance(item, dict) else item for item in items] if isinstance(items, list) \
        else items
    if sent != SPECIAL_NAMES:
        raise CheckFailed(_("Every name must come back exactly as the source gave it."),
                          input=described(source), expected=SPECIAL_NAMES, actual=sent)


async def answers_empty_array(ns: Namespace) -> None:
    """Fail unless an empty source gives exactly the empty array ``[]``.

    Args:
        ns: The learner's objects.
    """
    source = Source([])
    exchange = await export(ns, source)
    items = require_complete(exchange, source, invalid=_("With no rows, the body is not valid JSON. Send the "
                                                          "opening [ and the closing ] whether or not rows come."))
    if items != []:
        raise CheckFailed(_("When the source has no rows, the export is the empty array: []."),
                          input=described(source), expected="[]", actual=shown(exchange))


async def streams_while_reading(ns: Namespace) -> None:
    """Fail unless each row leaves before the source is asked for the next one: counted, not timed.

    Args:
        ns: The learner's objects.
    """
    source = Source(make_rows(STREAM_N))
    exchange = await export(ns, source)
    require_complete(exchange, source)
    given, allowed = exchange.given_at_first_row, 1
    where = ngettext("GET /export; the source gives {n} row, {batch} per fetch",
                     "GET /export; the source gives {n} rows, {batch} per fetch", STREAM_N, batch=BATCH)
    if given is None:
        raise CheckFailed(_("The body never held the first row of the source."), input=where,
                          expected=public(source.rows[0]), actual=shown(exchange))
    if given > allowed:
        raise CheckFailed(_("The first row left only after the source had given {given} of all its rows ({count}): "
                            "the export reads every row (into a list, or to count them) before it sends anything. "
                            "Send each row as soon as the source gives it.", given=given, count=STREAM_N),
                          input=where, expected=ngettext("at most {n} row given when the first row leaves",
                                                         "at most {n} rows given when the first row leaves", allowed),
                          actual=_("rows given: {given}", given=given))
    if exchange.lag:
        raise CheckFailed(_("Some rows waited for later ones: when a row left, the source had already given more "
                            "rows (up to {lag}). Send each row as soon as the source gives it, before you ask for the "
                            "next one: no buffer, no look-ahead.", lag=exchange.lag), input=where,
                          expected=_("each row sent before the next is read"),
                          actual=_("rows read ahead: up to {lag}", lag=exchange.lag))


async def reads_source_once(ns: Namespace) -> None:
    """Fail unless one request calls ``source()`` once and reads each row once.

    Args:
        ns: The learner's objects.
    """
    source = Source(make_rows(SMALL_N))
    exchange = await export(ns, source)
    require_complete(exchange, source)
    if source.calls != 1 or source.given != SMALL_N:
        raise CheckFailed(_("One request must call `source()` once and read each row once: on a real database, "
                            "every extra pass runs the whole query again."), input=described(source),
                          expected=_("calls: {calls}, rows read: {given}", calls=1, given=SMALL_N),
                          actual=_("calls: {calls}, rows read: {given}", calls=source.calls, given=source.given))


async def fails_visibly(ns: Namespace) -> None:
    """Fail if a source that raises part-way still gives a 200 whose body is valid JSON.

    Args:
        ns: The learner's objects.
    """
    source = Source(make_rows(FAIL_N), fail_at=FAIL_AT)
    exchange = await export(ns, source)
    try:
        exchange.parsed()
    except ValueError:
        return  # the array never closes: the client cannot take it for a whole export
    if exchange.status is not None and exchange.status < 300:
        raise CheckFailed(_("The source failed part-way, yet the response ended as valid JSON, with status "
                            "{status}: a client takes it for the whole export. Do not catch the source's "
                            "exception to close the array: let it through, and the server breaks the "
                            "response off, so the client sees an error.", status=exchange.status),
                          input=described(source), expected=_("an incomplete body or an error status"),
                          actual=shown(exchange, len(exchange.body)))


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

