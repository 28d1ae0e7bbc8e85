"""Extract translatable text into gettext templates and merge it into the bn and ru catalogs.

A lesson catalog has one entry per markdown cell (msgctxt = cell id, msgid = English source);
``perflab.po`` has every ``_("...")`` in ``perflab/`` plus what ``MESSAGE_SOURCES`` add. Output is
deterministic: source order, no dates, no line numbers (moving code churns nothing), fixed wrapping.
"""

from __future__ import annotations

import difflib
import string
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polib
from babel.messages.extract import extract_from_file

from perflab.i18n import LANGUAGES
from perflab.notebooks import catalog_path, cell_id, chapters, read_chapter, write_if_changed

__all__ = [
    "DOMAIN", "MESSAGE_SOURCES", "PLURAL_FORMS", "TARGET_LANGUAGES", "CatalogStatus", "Message",
    "MessageSource", "Report", "chapter_messages", "manifest_hints", "merge_catalog",
    "python_messages", "render_po", "runtime_messages", "templates", "update_catalogs",
]

DOMAIN = "perflab"
TARGET_LANGUAGES: tuple[str, ...] = tuple(lang for lang in LANGUAGES if lang != "en")
PLURAL_FORMS = {
    "bn": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
}
_WRAP = 78
_FUZZY_CUTOFF = 0.75
_FORMAT = {"MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
_BASE_METADATA = {"Project-Id-Version": "FastAPI Performance Lab", **_FORMAT}


@dataclass(frozen=True)
class Message:
    """One translatable string and where it comes from."""

    msgid: str
    msgctxt: str | None = None
    occurrences: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


MessageSource = Callable[[Path], list[Message]]
Key = tuple[str | None, str]


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


def chapter_messages(path: Path) -> list[Message]:
    """Return one message per markdown cell that has an id, in source order.

    Args:
        path: The chapter source.
    """
    return [
        Message(msgid=cell.source, msgctxt=cell_id(cell))
        for cell in read_chapter(path).cells
        if cell.cell_type == "markdown" and cell_id(cell) and cell.source.strip()
    ]


def _is_brace_format(text: str) -> bool:
    try:
        return any(name for _, name, _, _ in string.Formatter().parse(text))
    except ValueError:
        return False


def python_messages(root: Path) -> list[Message]:
    """Return the literal first arguments of ``_(...)`` calls in ``perflab/**/*.py``.

    Args:
        root: The repository root.
    """
    found: list[Message] = []
    for path in sorted((root / "perflab").rglob("*.py")):
        where = path.relative_to(root).as_posix()
        results = extract_from_file(
            "python", path, keywords={"_": None, "plot_text": None, "Check": None}, comment_tags=("TRANSLATORS:",), strip_comment_tags=True
        )
        for _lineno, text, comments, _context in results:
            if isinstance(text, str) and text:
                flags = ("python-brace-format",) if _is_brace_format(text) else ()
                found.append(Message(text, None, (where,), tuple(comments), flags))
    return found


def _hint_strings(node: object) -> Iterator[str]:
    # Learners see an exercise's title and its hints: both are translated.
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "hints" and isinstance(value, list):
                yield from (item for item in value if isinstance(item, str) and item)
            elif key == "title" and isinstance(value, str) and value:
                yield value
            else:
                yield from _hint_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _hint_strings(item)


def manifest_hints(root: Path) -> list[Message]:
    """Return every exercise title and hint in ``exercises/manifest.toml``, if it exists.

    Args:
        root: The repository root.
    """
    path = root / "exercises" / "manifest.toml"
    if not path.exists():
        return []
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Message(text, None, ("exercises/manifest.toml",)) for text in _hint_strings(data)]


MESSAGE_SOURCES: list[MessageSource] = [python_messages, manifest_hints]


def runtime_messages(root: Path, sources: list[MessageSource] | None = None) -> list[Message]:
    """Collect perflab's runtime messages from every source, merging duplicates in first-seen order.

    Args:
        root: The repository root.
        sources: Functions that return messages. Defaults to ``MESSAGE_SOURCES``.
    """
    merged: dict[str, Message] = {}
    for source in MESSAGE_SOURCES if sources is None else sources:
        for msg in source(root):
            old = merged.get(msg.msgid)
            if old is None:
                merged[msg.msgid] = msg
                continue
            both = (old.occurrences + msg.occurrences, old.comments + msg.comments, old.flags + msg.flags)
            merged[msg.msgid] = Message(msg.msgid, None, *(tuple(dict.fromkeys(x)) for x in both))
    return list(merged.values())


def _new_file(header: str, metadata: dict[str, str]) -> polib.POFile:
    po = polib.POFile(wrapwidth=_WRAP)
    po.header = header
    po.metadata = dict(metadata)
    return po


def _source_name(domain: str) -> str:
    return "perflab/**/*.py and exercises/manifest.toml" if domain == DOMAIN else f"chapters/{domain}.md"


def _template(domain: str, messages: list[Message]) -> polib.POFile:
    header = f"Template for {_source_name(domain)}. Generated by `make translations`; do not edit."
    po = _new_file(header, _BASE_METADATA)
    for msg in messages:
        where = [(path, "") for path in msg.occurrences]
        po.append(polib.POEntry(msgid=msg.msgid, msgctxt=msg.msgctxt, occurrences=where,
                                comment="\n".join(msg.comments), flags=list(msg.flags)))
    return po


def templates(root: Path) -> dict[str, polib.POFile]:
    """Return the template of every domain: each chapter stem, then ``"perflab"``.

    Args:
        root: The repository root.
    """
    found = {path.stem: _template(path.stem, chapter_messages(path)) for path in chapters(root)}
    found[DOMAIN] = _template(DOMAIN, runtime_messages(root))
    return found


def render_po(po: polib.POFile) -> str:
    """Return a catalog's text exactly as it is written to disk.

    Args:
        po: The catalog.
    """
    po.wrapwidth = _WRAP
    text = str(po)
    return text if text.endswith("\n") else text + "\n"


def _key(entry: polib.POEntry) -> Key:
    return entry.msgctxt, entry.msgid


def _find_old(new: polib.POEntry, old: list[polib.POEntry], wanted: set[Key]) -> polib.POEntry | None:
    """Pick the old entry whose translation carries over: same context, else same text, else a close text."""
    spare = [e for e in old if _key(e) not in wanted]
    if new.msgctxt is not None:
        same_ctx = [e for e in spare if e.msgctxt == new.msgctxt]
        same_ctx.sort(key=lambda e: (e.obsolete, not e.msgstr))
        if same_ctx:
            return same_ctx[0]
    same_text = [e for e in spare if e.msgid == new.msgid and e.msgstr]
    if same_text:
        return same_text[0]
    if new.msgctxt is None:
        close = [e for e in spare if e.msgstr and e.msgctxt is None]
        names = difflib.get_close_matches(new.msgid, [e.msgid for e in close], n=1, cutoff=_FUZZY_CUTOFF)
        return next((e for e in close if names and e.msgid == names[0]), None)
    return None


def _carry(new: polib.POEntry, old: polib.POEntry, exact: bool) -> None:
    """Copy an old translation into a fresh entry, marking it fuzzy unless it matched exactly."""
    new.msgstr, new.tcomment = old.msgstr, old.tcomment
    if not old.msgstr or (exact and not old.fuzzy):
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
    return _BASE_METADATA | kept | _FORMAT | {"Language": lang, "Plural-Forms": PLURAL_FORMS[lang]}


def merge_catalog(template: polib.POFile, old: polib.POFile | None, lang: str, header: str = "") -> polib.POFile:
    """Return ``lang``'s catalog for ``template``, keeping every translation ``old`` has.

    Args:
        template: The freshly extracted template.
        old: The catalog on disk, or None when it does not exist yet.
        lang: The catalog's language, e.g. ``"ru"``.
        header: The comment on top of a new catalog. Defaults to none; an old catalog keeps its own.
    """
    po = _new_file(old.header if old is not None and old.header else header, _metadata(old, lang))
    previous = sorted(old if old is not None else [], key=lambda e: e.obsolete)
    exact: dict[Key, polib.POEntry] = {}
    for entry in previous:
        exact.setdefault(_key(entry), entry)
    wanted = {_key(e) for e in template}
    used: set[int] = set()
    for entry in template:
        new = polib.POEntry(msgid=entry.msgid, msgctxt=entry.msgctxt, occurrences=list(entry.occurrences),
                            comment=entry.comment, flags=list(entry.flags))
        match = exact.get(_key(entry))
        if match is None or id(match) in used:
            match = _find_old(entry, [e for e in previous if id(e) not in used], wanted)
        if match is not None:
            used.add(id(match))
            _carry(new, match, exact=_key(match) == _key(entry))
        po.append(new)
    for gone in previous:
        if id(gone) not in used and gone.msgstr and _key(gone) not in wanted:
            # An obsolete entry keeps its fuzzy flag, so that reviving it does not pass off a stale translation.
            flags = ["fuzzy"] if gone.fuzzy else []
            po.append(polib.POEntry(msgid=gone.msgid, msgctxt=gone.msgctxt, msgstr=gone.msgstr, obsolete=True, flags=flags))
    return po


def _status(root: Path, path: Path, po: polib.POFile, changed: bool) -> CatalogStatus:
    active = [e for e in po if not e.obsolete]
    fuzzy = sum(1 for e in active if e.fuzzy)
    done = sum(1 for e in active if e.msgstr and not e.fuzzy)
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
            old = polib.pofile(str(path), wrapwidth=_WRAP) if path.exists() else None
            header = f"{lang} translation of {_source_name(domain)}. Updated by `make translations`; edit msgstr only."
            po = merge_catalog(template, old, lang, header)
            report.catalogs.append(_status(root, path, po, write_if_changed(path, render_po(po))))
    for stale in sorted((root / "locales" / "templates").glob("*.pot")):
        if stale.stem not in {p.stem for p in chapters(root)} | {DOMAIN}:
            stale.unlink()
            report.warnings.append(f"removed {stale.relative_to(root).as_posix()}: its chapter is gone")
    return report
