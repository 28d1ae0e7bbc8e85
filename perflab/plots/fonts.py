"""Fonts for plot labels: Bangla needs a font with Bengali letters, and not every machine has one.

matplotlib's default font, DejaVu Sans, draws English and Russian but not Bangla.
Without a Bengali font matplotlib draws empty boxes ("tofu"), so when none is
installed the plots say it once and label everything in English instead.

Usage:
    setup_fonts()                       # before drawing; the plots in perflab call it
    ax.set_xlabel(plot_text("time (s)"))
"""

from __future__ import annotations

import functools
import os
import sys
import warnings
from collections.abc import MutableMapping
from typing import Any, cast

import matplotlib
from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from perflab.i18n import _, current_language

__all__ = [
    "LATIN_FONT",
    "MissingFontWarning",
    "find_bengali_font",
    "labels_language",
    "plot_text",
    "setup_fonts",
]

LATIN_FONT = "DejaVu Sans"
# Letters, vowel signs and the hasanta (virama): a font with all of them can shape real words.
_BENGALI_PROBE = frozenset(map(ord, "অআকষগি্া"))
# Fonts known to draw Bangla well, best first: Debian/Ubuntu, Windows, macOS, Fedora.
_PREFERRED = (
    "Noto Sans Bengali",
    "Noto Sans Bengali UI",
    "Nirmala UI",
    "Vrinda",
    "Kohinoor Bangla",
    "Bangla Sangam MN",
    "Lohit Bengali",
    "Noto Serif Bengali",
)
_RC_KEYS = ("font.family", "text.language")
_state: dict[str, object] = {"warned": False, "saved": None, "applied": None}


class MissingFontWarning(UserWarning):
    """No installed font draws the current language, so plot labels fall back to English."""


def _is_last_resort(path: str) -> bool:
    # matplotlib ships a font that "covers" every code point with boxes: it must never count.
    return os.path.basename(path).startswith("LastResort")


def _covers_bengali(path: str) -> bool:
    if _is_last_resort(path):
        return False
    try:
        charmap = FT2Font(path).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False  # an unreadable or unsupported font file is simply not a candidate
    return _BENGALI_PROBE.issubset(charmap)


def _preference(entry: font_manager.FontEntry) -> tuple[int, int, str]:
    rank = _PREFERRED.index(entry.name) if entry.name in _PREFERRED else len(_PREFERRED)
    named = 0 if any(w in entry.name.lower() for w in ("bengali", "bangla")) else 1
    return rank, named, entry.name


def _find_unregistered_font() -> str | None:
    # matplotlib caches its font list; a font installed after that cache was built is
    # invisible to it until we register the file ourselves.
    known = {os.path.realpath(e.fname) for e in font_manager.fontManager.ttflist}
    for path in sorted(font_manager.findSystemFonts()):
        if os.path.realpath(path) in known or not _covers_bengali(path):
            continue
        try:
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
    return None


@functools.lru_cache(maxsize=1)
def find_bengali_font() -> str | None:
    """Return the family name of an installed font that draws Bengali letters, or None."""
    for entry in sorted(font_manager.fontManager.ttflist, key=_preference):
        if _covers_bengali(entry.fname):
            return str(entry.name)
    return _find_unregistered_font()


def _warn_missing_font() -> None:
    if _state["warned"]:
        return
    _state["warned"] = True
    message = _(
        "No installed font can draw Bangla letters, so plot labels will be in English. "
        "To see them in Bangla, install the Noto Sans Bengali font "
        "(on Debian or Ubuntu: sudo apt install fonts-noto-core) and restart the kernel."
    )
    warnings.warn(message, MissingFontWarning, stacklevel=_learner_stacklevel())


def _learner_stacklevel() -> int:
    # Point the warning at the learner's own line (their notebook cell), not at perflab.
    package_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # all of perflab
    frame, level = sys._getframe(1), 1
    while frame.f_back is not None and frame.f_code.co_filename.startswith(package_dir):
        frame, level = frame.f_back, level + 1
    return level


def _bengali_family() -> str | None:
    # Looked up by name at call time so tests can monkeypatch find_bengali_font.
    family = find_bengali_font()
    if family is None:
        _warn_missing_font()
    return family


def _rc() -> MutableMapping[str, Any]:
    # rcParams' type only accepts literal keys; ours come from _RC_KEYS.
    return cast("MutableMapping[str, Any]", matplotlib.rcParams)


def _apply_rc(values: dict[str, object]) -> None:
    if _state["saved"] is None:
        _state["saved"] = {key: _rc()[key] for key in _RC_KEYS}
    _rc().update(values)
    _state["applied"] = values


def _restore_rc() -> None:
    saved, applied = _state["saved"], _state["applied"]
    if not isinstance(saved, dict) or not isinstance(applied, dict):
        return
    for key, value in saved.items():
        # A learner may have chosen their own font since; only undo what is still ours.
        if _rc()[key] == applied[key]:
            _rc()[key] = value
    _state["saved"] = _state["applied"] = None


def setup_fonts(lang: str | None = None) -> bool:
    """Configure matplotlib so plot text in ``lang`` draws without empty boxes.

    For Bangla this puts a font with Bengali letters first in ``font.family``,
    with DejaVu Sans behind it for Latin letters, and turns on Bangla shaping.
    For English and Russian it restores matplotlib's own settings, whose DejaVu
    Sans covers both. If no Bengali font is installed it warns once per process
    and plot labels fall back to English (see ``labels_language``).

    Args:
        lang: A language code. Defaults to the current language.

    Returns:
        True when labels can be drawn in ``lang``; False when they fall back to English.
    """
    lang = lang or current_language()
    if lang != "bn":
        _restore_rc()
        return True
    family = _bengali_family()
    if family is None:
        _restore_rc()
        return False
    _apply_rc({"font.family": [family, LATIN_FONT], "text.language": "bn"})
    return True


def labels_language() -> str:
    """Return the language plot labels use: the current one, or ``"en"`` when its font is missing."""
    lang = current_language()
    if lang == "bn" and _bengali_family() is None:
        return "en"
    return lang


def plot_text(message: str, /, **fields: object) -> str:
    """Translate a plot label like ``_()`` does, but keep it English when its font is missing.

    Args:
        message: The English label, which is also the gettext msgid; pass a literal.
        **fields: Values for the ``{name}`` placeholders in the message.
    """
    if labels_language() == current_language():
        # The literal msgid is at plot_text's call site; extraction lists plot_text as a keyword.
        return _(message, **fields)
    return message.format(**fields) if fields else message
