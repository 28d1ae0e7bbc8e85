"""Extract translatable text into gettext templates: lessons, runtime messages and exercise hints.

A lesson template has one entry per markdown cell (msgctxt = cell id, msgid = English source);
``perflab.pot`` has every ``_("...")`` in ``perflab/`` plus what ``MESSAGE_SOURCES`` add. Output is
deterministic: source order, no dates, no line numbers (moving code churns nothing), fixed wrapping.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polib
from babel.messages.extract import extract_from_file

from perflab.build.notebooks import cell_id, chapters, read_chapter

__all__ = [
    "BASE_METADATA", "DOMAIN", "FORMAT", "MESSAGE_SOURCES", "WRAP", "Key", "Message", "MessageSource", "chapter_messages",
    "manifest_hints", "new_file", "python_messages", "render_po", "runtime_messages", "source_name", "templates",
]

DOMAIN = "perflab"
WRAP = 78
FORMAT = {"MIME-Version": "1.0", "Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit"}
BASE_METADATA = {"Project-Id-Version": "FastAPI Performance Lab", **FORMAT}


@dataclass(frozen=True)
class Message:
    """One translatable string and where it comes from."""

    msgid: str
    msgctxt: str | None = None
    occurrences: tuple[str, ...] = ()
    comments: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    plural: str | None = None  # the English plural of an ``ngettext`` message



MessageSource = Callable[[Path], list[Message]]



Key = tuple[str | None, str]



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
    """Return the literal texts of ``_(...)``, ``ngettext(...)``, ``plot_text`` and ``Check`` calls in ``perflab/**/*.py``.

    Args:
        root: The repository root.
    """
    found: list[Message] = []
    for path in sorted((root / "perflab").rglob("*.py")):
        where = path.relative_to(root).as_posix()
        results = extract_from_file(
            "python", path, keywords={"_": None, "ngettext": (1, 2), "plot_text": None, "Check": None},
            comment_tags=("TRANSLATORS:",), strip_comment_tags=True
        )
        for _lineno, text, comments, _context in results:
            singular, plural = (text[0], text[1]) if isinstance(text, tuple) else (text, None)
            if isinstance(singular, str) and singular:
                flags = ("python-brace-format",) if _is_brace_format(singular) or plural else ()
                found.append(Message(singular, None, (where,), tuple(comments), flags, plural))
    return found



def _hint_strings(node: object) -> Iterator[str]:
    # Learners see an exercise's title, its task and its hints: all are translated.
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "hints" and isinstance(value, list):
                yield from (item for item in value if isinstance(item, str) and item)
            elif key in ("title", "task") and isinstance(value, str) and value:
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
            merged[msg.msgid] = Message(msg.msgid, None, *(tuple(dict.fromkeys(x)) for x in both), old.plural or msg.plural)
    return list(merged.values())



def new_file(header: str, metadata: dict[str, str]) -> polib.POFile:
    po = polib.POFile(wrapwidth=WRAP)
    po.header = header
    po.metadata = dict(metadata)
    return po



def source_name(domain: str) -> str:
    return "perflab/**/*.py and exercises/manifest.toml" if domain == DOMAIN else f"chapters/{domain}.md"



def _template(domain: str, messages: list[Message]) -> polib.POFile:
    header = f"Template for {source_name(domain)}. Generated by `make translations`; do not edit."
    po = new_file(header, BASE_METADATA)
    for msg in messages:
        where = [(path, "") for path in msg.occurrences]
        plural = {"msgid_plural": msg.plural, "msgstr_plural": {0: "", 1: ""}} if msg.plural else {}
        po.append(polib.POEntry(msgid=msg.msgid, msgctxt=msg.msgctxt, occurrences=where,
                                comment="\n".join(msg.comments), flags=list(msg.flags), **plural))
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
    po.wrapwidth = WRAP
    text = str(po)
    return text if text.endswith("\n") else text + "\n"

