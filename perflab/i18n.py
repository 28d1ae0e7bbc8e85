"""Runtime language: which catalog translates perflab's own messages.

English is the source language. Translations live in
``locales/<lang>/LC_MESSAGES/perflab.po`` and are read with polib, so no
compile step stands between editing a catalog and seeing the result.
"""

from __future__ import annotations

import functools
import gettext
import os
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
    return text.format(**fields) if fields else text


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
    return text.format(n=n, **fields)
