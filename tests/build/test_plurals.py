"""The gate's plural rule finds a number put into a noun, and nothing else."""

from __future__ import annotations

import pytest

from perflab.build.plurals import counted_nouns


@pytest.mark.parametrize("msgid", [
    "the source gives {count} rows", "{status} with {size} bytes of body", "exactly {n:d} items",
    "{total:,} distinct ids", "Watching {count} exercise files",
])
def test_a_number_before_a_noun_is_found(msgid: str) -> None:
    assert counted_nouns(msgid)


@pytest.mark.parametrize("msgid", [
    "{n} ms each", "after {given} of {total}", "{path} does not exist", "{rps:.0f} requests/s",
    "{label} answers {status}", "rows: {count}", "{n} at once", "×{factor:.1f} faster", "{size} B",
])
def test_units_links_and_other_placeholders_are_not(msgid: str) -> None:
    assert counted_nouns(msgid) == []
