"""What chapter 05's checks require of each request's use of the pool: a session of its own, given back."""

from __future__ import annotations

from typing import Any

from perflab.checking.engine import CheckFailed
from perflab.i18n import _

__all__ = ["require_own_session"]


def require_own_session(seen: dict[str, Any], request: str) -> None:
    """Fail unless one request took a connection from the pool and gave back every one it took.

    Args:
        seen: What reached the database during the request, from ``seen_since``.
        request: How the request is shown in a report.
    """
    if seen["checkouts"] == 0:
        raise CheckFailed(_("A request took no connection from the pool: it used a session that an earlier "
                            "request had opened. Give each request a session of its own, from `sessions`, and "
                            "close it when the request ends (`async with sessions() as session:`)."),
                          input=request, expected=_("a new session for each request"),
                          actual=_("a session shared between requests"))
    if seen["checkins"] < seen["checkouts"]:
        raise CheckFailed(_("A request ended, but its connection did not go back to the pool: its session was "
                            "never closed. Under load the pool runs dry. Open each session with "
                            "`async with sessions() as session:`."), input=request,
                          expected=_("connections given back: {n}", n=seen["checkouts"]),
                          actual=_("connections given back: {n}", n=seen["checkins"]))
