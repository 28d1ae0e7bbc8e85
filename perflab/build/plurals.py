"""The gate's plural rule: a runtime message that puts a number before a noun needs ``ngettext``.

«62 байт» and «в 4 раз» are what a Russian reader sees when a message puts a number into a noun
with one form for every number. So a message whose numeric placeholder is followed by a word
(``{count} rows``, ``{size} bytes``) must be an ``ngettext`` message, whose catalog entry has one
form per plural form of the language. A placeholder counts as numeric when its format spec is a
number's (``{n:d}``, ``{x:.1f}``) or its name is one the course uses for numbers.
"""

from __future__ import annotations

import re

__all__ = ["NUMERIC_NAMES", "counted_nouns"]

NUMERIC_NAMES = frozenset({
    "n", "count", "counts", "size", "total", "total_points", "max", "limit", "calls", "keys", "requests",
    "given", "allowed", "peak", "done", "dead", "rps", "rate", "points", "failed", "others", "seconds",
    "number", "repeat", "workers", "learners",
})
# What may follow a number without a plural form: units, symbols and the words that link two
# numbers ("3 of 5", "2 at once", "40 per second", "1.5 on average").
NOT_NOUNS = frozenset({"ms", "s", "µs", "B", "MB", "KB", "kB", "GB", "x", "of", "at", "on", "per", "in", "to",
                       "and", "or", "faster", "slower"})
_PLACEHOLDER_AND_WORD = re.compile(r"\{(\w+)(:[^}]*)?\}[ \u00a0]+([^\W\d_][\w-]*)(/?)")
_NUMERIC_SPEC = re.compile(r":[,_]?\.?\d*[dfgn%,]$")


def counted_nouns(msgid: str) -> list[str]:
    """Return each ``{number} word`` in ``msgid`` that needs a plural form, e.g. ``{count} rows``.

    Args:
        msgid: The English text of a message that is not an ``ngettext`` message.
    """
    found = []
    for match in _PLACEHOLDER_AND_WORD.finditer(msgid):
        name, spec, word, per = match.groups()
        numeric = name in NUMERIC_NAMES or bool(spec and _NUMERIC_SPEC.search(spec))
        if numeric and word not in NOT_NOUNS and not per:  # "requests/s" is a unit
            found.append(match.group(0))
    return found
