"""The translation and notebook gate: ``run_gate`` returns one ``Problem`` per defect, [] when the course is whole."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polib
from nbformat import NotebookNode

from perflab.build.catalogs import PLURAL_FORMS, TARGET_LANGUAGES, translated
from perflab.build.plurals import counted_nouns
from perflab.build.python_stamp import with_python_version
from perflab.build.extract import DOMAIN, render_po, templates
from perflab.build.stub_lock import stub_lock_problem
from perflab.checking.shipped import LOCK_PATH
from perflab.i18n import LANGUAGES
from perflab.build.markup import KINDS, compare_markup, markup, short
from perflab.build.notebooks import (
    BANNER_CELL_ID, LANGUAGE_CELL_ID, catalog_path, cell_id, chapters, language_cell_source,
    notebook_path, read_chapter, render_notebook,
)

__all__ = [
    "KINDS", "Problem", "check_catalogs", "check_chapters", "check_notebooks", "check_templates", "compare_markup",
    "markup", "run_gate",
]

_CELL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_OUTPUT_KEYS = {"execution", "ExecuteTime", "execution_count", "outputs", "scrolled", "collapsed"}
_ID_HINTS = {"markdown": 'put +++ {"id": "..."} on the line before it', "code": "add an :id: ... option"}


@dataclass(frozen=True)
class Problem:
    """One defect: the file it is in, what is wrong, and where inside the file."""

    file: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        return f"{self.file}: [{self.where}] {self.message}" if self.where else f"{self.file}: {self.message}"


def _rel(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _cell_problems(cell: NotebookNode, number: int, seen: dict[str, int]) -> Iterator[str]:
    name = cell_id(cell)
    if not name:
        yield f"{cell.cell_type} cell has no id: {_ID_HINTS[cell.cell_type]}"
    elif not _CELL_ID.fullmatch(name):
        yield f"id {name!r} is invalid: use 1-64 letters, digits, - or _"
    elif name in (LANGUAGE_CELL_ID, BANNER_CELL_ID):
        yield f"id {name!r} is reserved for a generated cell"
    elif name in seen:
        yield f"duplicate id {name!r} (first used by cell #{seen[name]})"
    seen.setdefault(name or "", number)
    yield from (f"cell metadata holds an output artifact: {key}" for key in sorted(_OUTPUT_KEYS & set(cell.metadata)))


def check_chapters(root: Path) -> Iterator[Problem]:
    """Every chapter cell has a valid, unique id, and no source carries outputs or saved widgets.

    Args:
        root: The repository root.
    """
    for path in sorted((root / "chapters").glob("*.ipynb")):
        yield Problem(_rel(root, path), "a notebook in chapters/: sources are MyST .md; notebooks are generated")
    for path in chapters(root):
        try:
            chapter = read_chapter(path)
        except Exception as error:  # jupytext raises many kinds on a broken source
            yield Problem(_rel(root, path), f"cannot be read as MyST markdown: {error}")
            continue
        if "widgets" in chapter.metadata:
            yield Problem(_rel(root, path), "front matter holds saved widget state (metadata.widgets): remove it")
        seen: dict[str, int] = {}
        for number, cell in enumerate(chapter.cells, start=1):
            for said in _cell_problems(cell, number, seen):
                where = f"cell #{number}" + (f" {cell_id(cell)!r}" if cell_id(cell) else "")
                yield Problem(_rel(root, path), said, where)


def _keys(po: polib.POFile) -> list[tuple[str | None, str]]:
    return [(entry.msgctxt, entry.msgid) for entry in po if not entry.obsolete]


def _where(ctx: str | None, msgid: str) -> str:
    return f"msgctxt {ctx!r}" if ctx is not None else f"msgid {short(msgid, 50)}"


def check_templates(root: Path, expected: dict[str, polib.POFile]) -> Iterator[Problem]:
    """Every template exists and matches its sources byte for byte; no template outlives its chapter.

    Args:
        root: The repository root.
        expected: Freshly extracted templates, from ``perflab.build.extract.templates``.
    """
    for domain, template in expected.items():
        path = catalog_path(root, domain)
        rel = _rel(root, path)
        if not path.exists():
            yield Problem(rel, "missing template: run make translations")
        elif path.read_text(encoding="utf-8") != render_po(template):
            new, old = _keys(template), _keys(polib.pofile(str(path)))
            changed = "; ".join(dict.fromkeys(_where(*k) for k in new + old if (k in new) != (k in old)))
            changed = changed or "header or comments"
            yield Problem(rel, f"out of date with its source ({changed}): run make translations")
    for path in sorted((root / "locales" / "templates").glob("*.pot")):
        if path.stem not in expected:
            yield Problem(_rel(root, path), "template for a chapter that no longer exists: delete it")


def _entry_problems(rel: str, entry: polib.POEntry, expected: set[tuple[str | None, str]]) -> Iterator[Problem]:
    where = _where(entry.msgctxt, entry.msgid)
    if (entry.msgctxt, entry.msgid) not in expected:
        yield Problem(rel, "not current: this entry is no longer in the template: run make translations", where)
    elif entry.fuzzy:
        yield Problem(rel, "fuzzy: the English changed; update msgstr, then remove the fuzzy flag", where)
    elif not translated(entry):
        yield Problem(rel, "untranslated" + (": every plural form needs a translation" if entry.msgid_plural else ""),
                      where)
    else:
        brace = "python-brace-format" in entry.flags
        pairs = ([(entry.msgid if i == 0 else entry.msgid_plural, text) for i, text in sorted(entry.msgstr_plural.items())]
                 if entry.msgid_plural else [(entry.msgid, entry.msgstr)])
        for english, text in pairs:
            yield from (Problem(rel, f"translation {phrase}", where) for phrase in compare_markup(english, text, brace))


def _catalog_problems(root: Path, lang: str, domain: str, template: polib.POFile) -> Iterator[Problem]:
    path = catalog_path(root, domain, lang)
    rel = _rel(root, path)
    if not path.exists():
        yield Problem(rel, "missing catalog: run make translations")
        return
    try:
        po = polib.pofile(str(path))
    except (OSError, ValueError) as error:
        yield Problem(rel, f"cannot be read: {error}")
        return
    for header, want in (("Language", lang), ("Plural-Forms", PLURAL_FORMS.get(lang))):
        if want and po.metadata.get(header) != want:
            yield Problem(rel, f"header {header} is {po.metadata.get(header)!r}, expected {want!r}")
    expected, present = set(_keys(template)), set(_keys(po))
    for ctx, msgid in _keys(template):
        if (ctx, msgid) not in present:
            yield Problem(rel, "not current: entry missing: run make translations", _where(ctx, msgid))
    for entry in po:
        if not entry.obsolete:
            yield from _entry_problems(rel, entry, expected)


def check_catalogs(root: Path, expected: dict[str, polib.POFile]) -> Iterator[Problem]:
    """Every chapter and perflab.po has a complete, current, markup-preserving catalog in bn and ru.

    Args:
        root: The repository root.
        expected: Freshly extracted templates, from ``perflab.build.extract.templates``.
    """
    for lang in TARGET_LANGUAGES:
        for domain, template in expected.items():
            yield from _catalog_problems(root, lang, domain, template)
        for path in sorted((root / "locales" / lang / "LC_MESSAGES").glob("*.po")):
            if path.stem not in expected:
                yield Problem(_rel(root, path), "catalog for a chapter that no longer exists: delete it")


Cell = dict[str, Any]


def _cells(path: Path) -> list[Cell]:
    try:
        return list(json.loads(path.read_text(encoding="utf-8")).get("cells", []))
    except (ValueError, AttributeError):  # check_notebooks calls it stale
        return []


def _source(cell: Cell) -> str:
    return "".join(cell.get("source", ""))


def _code(cells: list[Cell]) -> list[tuple[str, str, str]]:
    """Return (id, source, metadata) of every code cell but the language cell."""
    code = [c for c in cells if c.get("cell_type") == "code" and c.get("id") != LANGUAGE_CELL_ID]
    return [(str(c.get("id")), _source(c), json.dumps(c.get("metadata"), sort_keys=True)) for c in code]


def _notebook_problems(root: Path, chapter: Path, lang: str) -> Iterator[Problem]:
    path = notebook_path(root, lang, chapter)
    rel = _rel(root, path)
    if not path.exists():
        yield Problem(rel, f"missing notebook for chapters/{chapter.name}: run make notebooks")
        return
    cells = _cells(path)
    for cell in cells:
        if cell.get("cell_type") == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            yield Problem(rel, "code cell has outputs or an execution count: notebooks ship clean", str(cell.get("id")))
    first = cells[0] if cells else {}
    if first.get("id") != LANGUAGE_CELL_ID or _source(first) != language_cell_source(lang):
        yield Problem(rel, f"first cell must be the {LANGUAGE_CELL_ID!r} code cell: {language_cell_source(lang)!r}")
    mine, english = _code(cells), _code(_cells(notebook_path(root, "en", chapter)))
    if lang != "en" and english and mine != english:
        where = next((a[0] for a, b in zip(mine, english) if a != b), f"{len(mine)} vs {len(english)} code cells")
        said = f"code cells differ from notebooks/en/{chapter.stem}.ipynb: code is the same in every language"
        yield Problem(rel, said, where)
    try:
        fresh = render_notebook(root, chapter, lang)
    except Exception:  # check_chapters reports a broken chapter
        return
    if with_python_version(path.read_text(encoding="utf-8"), None) != fresh:  # make lab stamps the version
        said = f"stale: differs from a fresh build of chapters/{chapter.name} and its catalog: run make notebooks"
        yield Problem(rel, said)


def check_notebooks(root: Path) -> Iterator[Problem]:
    """Every generated notebook exists, is clean, is fresh, and shares its code cells with English.

    Args:
        root: The repository root.
    """
    for lang in LANGUAGES:
        for chapter in chapters(root):
            yield from _notebook_problems(root, chapter, lang)
        names = {chapter.stem for chapter in chapters(root)}
        for path in sorted((root / "notebooks" / lang).glob("*.ipynb")):
            if path.stem not in names:
                yield Problem(_rel(root, path), "notebook without a chapter: run make notebooks")


def check_plurals(template: polib.POFile) -> Iterator[Problem]:
    """No runtime message puts a number before a noun unless it is an ``ngettext`` message.

    Args:
        template: The freshly extracted ``perflab`` template.
    """
    for entry in template:
        for phrase in [] if entry.msgid_plural else counted_nouns(entry.msgid):
            yield Problem(f"locales/templates/{DOMAIN}.pot", f"puts a number into a noun ({phrase}): use ngettext, "
                          "whose catalogs have a form for each plural form of the language", _where(None, entry.msgid))


def run_gate(root: Path) -> list[Problem]:
    """Run every check and return the problems; an empty list means the gate passes.

    Args:
        root: The repository root.
    """
    problems = list(check_chapters(root))
    try:
        expected = templates(root)
    except Exception as error:  # a chapter jupytext cannot read, or a Python file babel cannot parse
        return [*problems, Problem("locales/templates", f"cannot extract messages: {error}")]
    lock = stub_lock_problem(root)
    problems += [Problem(LOCK_PATH, lock)] if lock else []
    return [*problems, *check_templates(root, expected), *check_plurals(expected[DOMAIN]), *check_catalogs(root, expected),
            *check_notebooks(root)]
