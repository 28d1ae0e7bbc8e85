"""Merge the templates into the bn and ru catalogs, keeping every translation that still fits.

A changed English text becomes *fuzzy*, with the old translation kept for reference; a
translation whose English is gone is dropped. ``update_catalogs`` writes only what changed.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path

import polib

from perflab.build.extract import (
    BASE_METADATA, DOMAIN, FORMAT, WRAP, Key, new_file, render_po, source_name, templates,
)
from perflab.build.notebooks import catalog_path, cell_id, chapters, read_chapter, write_if_changed
from perflab.i18n import LANGUAGES

__all__ = ["PLURAL_FORMS", "TARGET_LANGUAGES", "CatalogStatus", "Report", "merge_catalog", "translated", "update_catalogs"]

TARGET_LANGUAGES: tuple[str, ...] = tuple(lang for lang in LANGUAGES if lang != "en")

PLURAL_FORMS = {
    "bn": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
}

_FUZZY_CUTOFF = 0.75



@dataclass(frozen=True)
class CatalogStatus:
    """How complete one catalog is after an update."""

    path: str
    translated: int
    fuzzy: int
    untranslated: int
    changed: bool

    def __str__(self) -> str:
        state = "updated" if self.changed else "unchanged"
        counts = f"{self.translated} translated, {self.fuzzy} fuzzy, {self.untranslated} untranslated"
        return f"{self.path}: {counts} ({state})"



@dataclass
class Report:
    """What ``update_catalogs`` wrote, and what it had to leave out."""

    catalogs: list[CatalogStatus] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join([str(c) for c in self.catalogs] + [f"warning: {w}" for w in self.warnings])



def _key(entry: polib.POEntry) -> Key:
    return entry.msgctxt, entry.msgid



def _find_old(new: polib.POEntry, old: list[polib.POEntry], wanted: set[Key]) -> polib.POEntry | None:
    """Pick the old entry whose translation carries over: same context, else same text, else a close text."""
    spare = [e for e in old if _key(e) not in wanted and bool(e.msgid_plural) == bool(new.msgid_plural)]
    if new.msgctxt is not None:
        same_ctx = [e for e in spare if e.msgctxt == new.msgctxt]
        same_ctx.sort(key=lambda e: (e.obsolete, not translated(e)))
        if same_ctx:
            return same_ctx[0]
    same_text = [e for e in spare if e.msgid == new.msgid and translated(e)]
    if same_text:
        return same_text[0]
    if new.msgctxt is None:
        close = [e for e in spare if translated(e) and e.msgctxt is None]
        names = difflib.get_close_matches(new.msgid, [e.msgid for e in close], n=1, cutoff=_FUZZY_CUTOFF)
        return next((e for e in close if names and e.msgid == names[0]), None)
    return None



def translated(entry: polib.POEntry) -> bool:
    """Return whether ``entry`` has its translation: its msgstr, or every plural form.

    Args:
        entry: A catalog entry.
    """
    return all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)


def _carry(new: polib.POEntry, old: polib.POEntry, exact: bool) -> None:
    """Copy an old translation into a fresh entry, marking it fuzzy unless it matched exactly."""
    new.msgstr, new.tcomment = old.msgstr, old.tcomment
    if new.msgid_plural and old.msgid_plural:
        new.msgstr_plural = {i: old.msgstr_plural.get(i, "") for i in new.msgstr_plural}
    exact = exact and old.msgid_plural == new.msgid_plural
    if not translated(old) or (exact and not old.fuzzy):
        return
    new.flags.append("fuzzy")
    if exact or (old.fuzzy and old.previous_msgid):
        # An entry that was already fuzzy still translates its earlier English text.
        new.previous_msgid, new.previous_msgctxt = old.previous_msgid, old.previous_msgctxt
        return
    new.previous_msgid = old.msgid
    new.previous_msgctxt = old.msgctxt if old.msgctxt != new.msgctxt else None



def _metadata(old: polib.POFile | None, lang: str) -> dict[str, str]:
    kept = dict(old.metadata) if old is not None else {}  # a translator's own headers stay
    return BASE_METADATA | kept | FORMAT | {"Language": lang, "Plural-Forms": PLURAL_FORMS[lang]}



def _plural_slots(entry: polib.POEntry, lang: str) -> dict[str, object]:
    """Return the plural fields of a new entry for ``lang``: one empty form per plural form of the language."""
    if not entry.msgid_plural:
        return {}
    count = int(PLURAL_FORMS[lang].split("nplurals=")[1].split(";")[0])
    return {"msgid_plural": entry.msgid_plural, "msgstr_plural": {i: "" for i in range(count)}}


def merge_catalog(template: polib.POFile, old: polib.POFile | None, lang: str, header: str = "") -> polib.POFile:
    """Return ``lang``'s catalog for ``template``, keeping every translation ``old`` has.

    Args:
        template: The freshly extracted template.
        old: The catalog on disk, or None when it does not exist yet.
        lang: The catalog's language, e.g. ``"ru"``.
        header: The comment on top of a new catalog. Defaults to none; an old catalog keeps its own.
    """
    po = new_file(old.header if old is not None and old.header else header, _metadata(old, lang))
    previous = sorted(old if old is not None else [], key=lambda e: e.obsolete)
    exact: dict[Key, polib.POEntry] = {}
    for entry in previous:
        exact.setdefault(_key(entry), entry)
    wanted = {_key(e) for e in template}
    used: set[int] = set()
    for entry in template:
        new = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, occurrences=list(entry.occurrences),
                            comment=entry.comment, flags=list(entry.flags), **_plural_slots(entry, lang))
        match = exact.get(_key(entry))
        if match is None or id(match) in used:
            match = _find_old(entry, [e for e in previous if id(e) not in used], wanted)
        if match is not None:
            used.add(id(match))
            _carry(new, match, exact=_key(match) == _key(entry))
        po.append(new)
    for gone in previous:
        if id(gone) not in used and translated(gone) and _key(gone) not in wanted:
            # An obsolete entry keeps its fuzzy flag, so that reviving it does not pass off a stale translation.
            flags = ["fuzzy"] if gone.fuzzy else []
            po.append(polib.POEntry(msgid=gone.msgid, msgctxt=gone.msgctxt, msgstr=gone.msgstr, obsolete=True, flags=flags,
                                    msgid_plural=gone.msgid_plural, msgstr_plural=dict(gone.msgstr_plural)))
    return po



def _status(root: Path, path: Path, po: polib.POFile, changed: bool) -> CatalogStatus:
    active = [e for e in po if not e.obsolete]
    fuzzy = sum(1 for e in active if e.fuzzy)
    done = sum(1 for e in active if translated(e) and not e.fuzzy)
    return CatalogStatus(path.relative_to(root).as_posix(), done, fuzzy, len(active) - done - fuzzy, changed)



def _missing_ids(root: Path) -> list[str]:
    return [
        f"{path.relative_to(root).as_posix()}: {cell.cell_type} cell #{number} has no id and is left out"
        for path in chapters(root)
        for number, cell in enumerate(read_chapter(path).cells, start=1)
        if not cell_id(cell)
    ]



def update_catalogs(root: Path) -> Report:
    """Re-extract every template and merge it into the catalog of each translated language.

    Args:
        root: The repository root.
    """
    report = Report(warnings=_missing_ids(root))
    for domain, template in templates(root).items():
        pot = catalog_path(root, domain)
        report.catalogs.append(_status(root, pot, template, write_if_changed(pot, render_po(template))))
        for lang in TARGET_LANGUAGES:
            path = catalog_path(root, domain, lang)
            old = polib.pofile(str(path), wrapwidth=WRAP) if path.exists() else None
            header = f"{lang} translation of {source_name(domain)}. Updated by `make translations`; edit msgstr only."
            po = merge_catalog(template, old, lang, header)
            report.catalogs.append(_status(root, path, po, write_if_changed(path, render_po(po))))
    for stale in sorted((root / "locales" / "templates").glob("*.pot")):
        if stale.stem not in {p.stem for p in chapters(root)} | {DOMAIN}:
            stale.unlink()
            report.warnings.append(f"removed {stale.relative_to(root).as_posix()}: its chapter is gone")
    return report

