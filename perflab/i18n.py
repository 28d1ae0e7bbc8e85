"""Runtime language: which catalog translates perflab's own messages.

English is the source language. Translations live in
``locales/<lang>/LC_MESSAGES/perflab.po`` and are read with polib, so no
compile step stands between editing a catalog and seeing the result.
"""

from __future__ import annotations

import functools
import gettext
import numbers
import os
import re
import string
from collections.abc import Callable
from pathlib import Path

import polib

from perflab.errors import PerflabError

__all__ = [
    "LANGUAGES",
    "UnknownLanguage",
    "_",
    "current_language",
    "locales_dir",
    "ngettext",
    "number",
    "use_language",
]

LANGUAGES: tuple[str, ...] = ("en", "bn", "ru")
_DOMAIN = "perflab"
_state = {"lang": ""}


class UnknownLanguage(PerflabError, ValueError):
    """Raised for a language the course has no catalog for."""


def locales_dir() -> Path:
    """Return the folder that holds ``<lang>/LC_MESSAGES/*.po``."""
    override = os.environ.get("PERFLAB_LOCALES")
    if override:
        return Path(override)
    packaged = Path(__file__).with_name("_locales")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "locales"


def _validated(lang: str) -> str:
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        # Said in every language we have, because we do not know which one the learner reads.
        raise UnknownLanguage(
            f"Unknown language {lang!r}. Available: {', '.join(LANGUAGES)}. / "
            f"অজানা ভাষা {lang!r}। যেগুলো আছে: {', '.join(LANGUAGES)}। / "
            f"Неизвестный язык {lang!r}. Доступны: {', '.join(LANGUAGES)}."
        )
    return code


def use_language(lang: str) -> str:
    """Switch perflab's messages, hints and plot labels to ``lang``.

    Args:
        lang: One of ``"en"``, ``"bn"`` or ``"ru"``.

    Returns:
        The language code now in use.
    """
    _state["lang"] = _validated(lang)
    return _state["lang"]


def current_language() -> str:
    """Return the language in use: the last ``use_language``, else ``PERFLAB_LANG``, else English."""
    if not _state["lang"]:
        _state["lang"] = _validated(os.environ.get("PERFLAB_LANG") or "en")
    return _state["lang"]


class _Catalog:
    """One language's runtime messages: plain ones, plural ones (all forms), and its plural rule."""

    def __init__(self, po: polib.POFile | None) -> None:
        entries = [e for e in po or [] if not e.fuzzy and not e.obsolete]
        self.plain = {e.msgid: e.msgstr for e in entries if e.msgstr and not e.msgid_plural}
        self.plural = {e.msgid: [e.msgstr_plural[i] for i in sorted(e.msgstr_plural)] for e in entries
                       if e.msgid_plural and all(e.msgstr_plural.values())}
        rule = (po.metadata.get("Plural-Forms", "") if po is not None else "").partition("plural=")[2]
        self.form: Callable[[int], int] = gettext.c2py(rule.strip().rstrip(";")) if rule else (lambda n: int(n != 1))


@functools.lru_cache(maxsize=None)
def _catalog(lang: str, mtime_ns: int) -> _Catalog:
    path = locales_dir() / lang / "LC_MESSAGES" / f"{_DOMAIN}.po"
    if lang == "en" or not path.exists():
        return _Catalog(None)
    return _Catalog(polib.pofile(str(path)))


def _catalog_for(lang: str) -> _Catalog:
    path = locales_dir() / lang / "LC_MESSAGES" / f"{_DOMAIN}.po"
    mtime_ns = path.stat().st_mtime_ns if path.exists() else 0
    return _catalog(lang, mtime_ns)


def _(message: str, /, **fields: object) -> str:
    """Translate ``message`` into the current language and fill its ``{fields}``.

    Args:
        message: The English text, which is also the gettext msgid.
        **fields: Values for the ``{name}`` placeholders in the message.
    """
    text = _catalog_for(current_language()).plain.get(message, message)
    return _fill(text, fields) if fields else text


@functools.lru_cache(maxsize=None)
def _separators(lang: str) -> dict[int, str]:
    """Return how ``lang`` writes Python's "," (thousands) and "." (decimals), from Babel's locale data."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    group = get_group_symbol(lang, numbering_system="latn")  # Bangla keeps Latin digits
    return str.maketrans({",": group.replace(" ", "\u00a0"), ".": get_decimal_symbol(lang, numbering_system="latn")})


def number(value: float, spec: str = "") -> str:
    """Format ``value`` as ``format(value, spec)`` does, with the current language's decimal and group marks.

    Usage:
        number(4812.5, ",.1f")  # "4,812.5" in English, «4 812,5» in Russian

    Args:
        value: An int or a float.
        spec: A Python format spec, e.g. ``".2f"`` or ``","``. Defaults to none.
    """
    return str(value) if isinstance(value, bool) else localized(format(value, spec))


def localized(text: str) -> str:
    """Return a number written the Python way (``"4,812.5"``) with the current language's decimal and group marks.

    Args:
        text: The number as Python formats it, e.g. a chart's tick label.
    """
    lang = current_language()
    return text if lang == "en" else text.translate(_separators(lang))


# Russian typesetting keeps a number and its unit on one line: «0,54 с», «50 мс».
_RU_UNIT = re.compile(r"(?<=\d) (?=(?:мкс|мс|с|Б|КБ|МБ|ГБ|зап\./с|%)(?![\w]))")


_PARSER = string.Formatter()


def _fill(text: str, fields: dict[str, object]) -> str:
    """Fill ``text`` like ``str.format``, writing numbers the language's way except in code (`…` or ``x={x}``)."""
    out: list[str] = []
    in_code = False
    for literal, name, spec, conversion in _PARSER.parse(text):
        out.append(literal)
        in_code ^= literal.count("`") % 2 == 1
        if name is None:
            continue
        value = _PARSER.convert_field(_PARSER.get_field(name, (), fields)[0], conversion)
        plain = in_code or literal.endswith("=") or isinstance(value, bool) or not isinstance(value, numbers.Real)
        out.append(format(value, spec or "") if plain else number(value, spec or ""))  # type: ignore[arg-type]
    filled = "".join(out)
    return _RU_UNIT.sub("\u00a0", filled) if current_language() == "ru" else filled


def ngettext(singular: str, plural: str, n: int, /, **fields: object) -> str:
    """Translate a message about ``n`` things in the form the current language needs for ``n``, and fill it.

    Usage:
        ngettext("{n} request", "{n} requests", count)  # «1 запрос», «3 запроса», «5 запросов»

    Args:
        singular: The English text for one; also the gettext msgid.
        plural: The English text for any other number; the msgid_plural.
        n: The number that chooses the form; also the ``{n}`` placeholder.
        **fields: Values for the other ``{name}`` placeholders.
    """
    catalog = _catalog_for(current_language())
    forms = catalog.plural.get(singular)
    if forms is None:
        text = singular if n == 1 else plural
    else:
        text = forms[min(catalog.form(abs(int(n))), len(forms) - 1)]
    return _fill(text, {"n": n, **fields})
