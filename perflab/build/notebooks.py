"""Build ``notebooks/<lang>/NN_name.ipynb`` from ``chapters/NN_name.md`` and the lesson catalogs.

Chapter format (jupytext MyST): a markdown cell's id sits in the JSON after the ``+++`` line that
opens it, ``+++ {"id": "intro"}`` (the first cell too); a code cell's id is an option,
``:id: serve-first-app``, beside ``:tags: [...]``. Jupytext keeps both in ``cell.metadata["id"]``
and gives cells random top-level ids, so the build moves ``metadata.id`` to the nbformat 4.5 ``id``.

Code cells are copied unchanged, so they are identical in every language. Markdown comes from the
catalog; a missing or fuzzy entry falls back to English under a banner. ``## Title {#anchor}``
becomes ``## Title <a id="anchor"></a>`` so that Jupyter can link to it. The output is
deterministic, and it has no outputs, no execution counts and no timestamps.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

import jupytext
import nbformat
import polib
from markdown_it import MarkdownIt
from nbformat import NotebookNode

from perflab.build.exercise_cells import expand_exercise_cells
from perflab.i18n import LANGUAGES

__all__ = [
    "BANNER_CELL_ID", "LANGUAGE_CELL_ID", "build_notebook", "build_notebooks", "catalog_path", "cell_id", "chapters",
    "heading_anchors", "language_cell_source", "notebook_path", "read_chapter", "render_notebook", "translations",
    "write_if_changed",
]

LANGUAGE_CELL_ID = "perflab-language"
BANNER_CELL_ID = "perflab-untranslated"
_KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}
_LANGUAGE_INFO = {
    "codemirror_mode": {"name": "ipython", "version": 3},
    "file_extension": ".py",
    "mimetype": "text/x-python",
    "name": "python",
    "nbconvert_exporter": "python",
    "pygments_lexer": "ipython3",
}
# Said in the notebook's own language: the reader may not read English.
_BANNERS = {
    "bn": (
        "> **⚠️ এই নোটবুকের কিছু অংশ এখনো বাংলায় অনূদিত হয়নি।** "
        "{count}টি লেখার ঘর ইংরেজিতে দেখানো হচ্ছে। অনুবাদে সাহায্য করুন: `{catalog}`"
    ),
    "ru": (
        "> **⚠️ Часть этого блокнота ещё не переведена на русский.** "
        "Текстовых ячеек на английском: {count}. Помочь с переводом: `{catalog}`"
    ),
}
_FALLBACK_BANNER = "> **⚠️ {count} text cells of this notebook are not translated yet.** Catalog: `{catalog}`"
_ANCHOR = re.compile(r"\s*\{\s*#([^\s{}]+)\s*\}\s*$")
_MD = MarkdownIt("commonmark")


def heading_anchors(text: str) -> list[tuple[int, str]]:
    """Return (line index, anchor) for every heading that ends in ``{#anchor}``, in order.

    Args:
        text: Markdown source.
    """
    tokens = _MD.parse(text)
    found = []
    for heading, inline in zip(tokens, tokens[1:]):
        match = _ANCHOR.search(inline.content) if heading.type == "heading_open" and inline.map else None
        if match and inline.map:
            found.append((inline.map[1] - 1, match.group(1)))
    return found


def _jupyter_anchors(text: str) -> str:
    """Turn ``## Title {#anchor}`` into ``## Title <a id="anchor"></a>``, which Jupyter can link to."""
    lines = text.split("\n")
    for index, anchor in heading_anchors(text):
        lines[index] = _ANCHOR.sub(f' <a id="{html.escape(anchor)}"></a>', lines[index])
    return "\n".join(lines)


def chapters(root: Path) -> list[Path]:
    """Return the chapter sources in order.

    Args:
        root: The repository root.
    """
    return sorted((root / "chapters").glob("*.md"))


def catalog_path(root: Path, domain: str, lang: str | None = None) -> Path:
    """Return ``locales/<lang>/LC_MESSAGES/<domain>.po``, or the template ``locales/templates/<domain>.pot``.

    Args:
        root: The repository root.
        domain: A chapter stem or ``"perflab"``.
        lang: A language code such as ``"bn"``. Defaults to None: the template.
    """
    if lang is None:
        return root / "locales" / "templates" / f"{domain}.pot"
    return root / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"


def read_chapter(path: Path) -> NotebookNode:
    """Read a MyST markdown chapter with jupytext.

    Args:
        path: The ``chapters/NN_name.md`` file.
    """
    chapter: NotebookNode = jupytext.read(path, fmt="md:myst")
    return chapter


def cell_id(cell: NotebookNode) -> str | None:
    """Return a chapter cell's stable id (jupytext keeps it in ``metadata.id``).

    Args:
        cell: A cell read by ``read_chapter``.
    """
    value = cell.get("metadata", {}).get("id")
    return str(value) if value else None


def write_if_changed(path: Path, text: str) -> bool:
    """Write ``text`` with LF line ends unless the file already holds it; return whether it wrote.

    Args:
        path: The file.
        text: Its whole new content.
    """
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return True


def notebook_path(root: Path, lang: str, chapter: Path) -> Path:
    """Return ``notebooks/<lang>/<chapter stem>.ipynb``.

    Args:
        root: The repository root.
        lang: A language code.
        chapter: The chapter source.
    """
    return root / "notebooks" / lang / f"{chapter.stem}.ipynb"


def language_cell_source(lang: str) -> str:
    """Return the source of the first cell, which switches perflab's messages to ``lang``.

    Args:
        lang: A language code.
    """
    return f'import perflab\nperflab.use_language("{lang}")'


def translations(root: Path, lang: str, domain: str) -> dict[tuple[str, str], str]:
    """Return the usable translations of a catalog: (msgctxt, msgid) to msgstr, fuzzy ones left out.

    Args:
        root: The repository root.
        lang: A language code; English has no catalog.
        domain: The chapter stem.
    """
    path = catalog_path(root, domain, lang)
    if lang == "en" or not path.exists():
        return {}
    return {
        (entry.msgctxt or "", entry.msgid): entry.msgstr
        for entry in polib.pofile(str(path))
        if entry.msgstr and not entry.fuzzy and not entry.obsolete
    }


def _unique_ids(cells: list[NotebookNode]) -> list[str]:
    """Return each cell's chapter id; a missing or repeated one gets a positional stand-in (the gate fails on it)."""
    seen: set[str] = {LANGUAGE_CELL_ID, BANNER_CELL_ID}
    ids = []
    for number, cell in enumerate(cells, start=1):
        wanted = cell_id(cell)
        chosen = wanted if wanted and wanted not in seen else f"cell-{number}"
        seen.add(chosen)
        ids.append(chosen)
    return ids


def _metadata(cell: NotebookNode) -> dict[str, object]:
    return {key: value for key, value in cell.get("metadata", {}).items() if key != "id"}


def _body(chapter: NotebookNode, texts: Mapping[tuple[str, str], str], root: Path) -> tuple[list[NotebookNode], int]:
    """Return the chapter's cells in one language, and how many text cells fell back to English."""
    cells, missing = [], 0
    for cell, new_id in zip(chapter.cells, _unique_ids(chapter.cells)):
        if cell.cell_type == "code":
            # A cell that is just "# exercise: <id>" becomes the exercise's stub: written once, in exercises/.
            source = expand_exercise_cells(cell.source, root)
            cells.append(nbformat.v4.new_code_cell(source, id=new_id, metadata=_metadata(cell)))
            continue
        text = texts.get((cell_id(cell) or "", cell.source))
        missing += text is None and bool(cell.source.strip())
        source = _jupyter_anchors(text or cell.source)
        cells.append(nbformat.v4.new_markdown_cell(source, id=new_id, metadata=_metadata(cell)))
    return cells, missing


def build_notebook(chapter: Path, lang: str, texts: Mapping[tuple[str, str], str], catalog: str = "") -> NotebookNode:
    """Return the notebook of one chapter in one language.

    Args:
        chapter: The chapter source.
        lang: A language code.
        texts: Translations from ``translations``; empty for English.
        catalog: The catalog path named in the untranslated banner. Defaults to none.
    """
    body, missing = _body(read_chapter(chapter), texts, chapter.resolve().parent.parent)
    first = nbformat.v4.new_code_cell(language_cell_source(lang), id=LANGUAGE_CELL_ID)
    cells = [first]
    if lang != "en" and missing:
        banner = _BANNERS.get(lang, _FALLBACK_BANNER).format(count=missing, catalog=catalog)
        cells.append(nbformat.v4.new_markdown_cell(banner, id=BANNER_CELL_ID))
    notebook: NotebookNode = nbformat.v4.new_notebook(cells=cells + body)
    notebook.nbformat_minor = 5
    notebook.metadata = {
        "kernelspec": dict(_KERNELSPEC),
        "language_info": dict(_LANGUAGE_INFO),
        "perflab": {"chapter": chapter.stem, "lang": lang, "source": f"chapters/{chapter.name}"},
    }
    return notebook


def render_notebook(root: Path, chapter: Path, lang: str) -> str:
    """Return the exact text of a generated notebook: sorted keys, indent 1, a final newline.

    Args:
        root: The repository root.
        chapter: The chapter source.
        lang: A language code.
    """
    catalog = catalog_path(root, chapter.stem, lang).relative_to(root).as_posix()
    notebook = build_notebook(chapter, lang, translations(root, lang, chapter.stem), catalog)
    text: str = nbformat.writes(notebook, version=4)
    return text if text.endswith("\n") else text + "\n"


def build_notebooks(root: Path, languages: tuple[str, ...] = LANGUAGES) -> list[Path]:
    """Write every chapter's notebook in every language, and return the paths written.

    A file that already holds the right bytes is left alone, and a notebook
    whose chapter is gone is deleted: notebooks are outputs, never sources.

    Args:
        root: The repository root.
        languages: The languages to build. Defaults to all of ``perflab.LANGUAGES``.
    """
    written: list[Path] = []
    for lang in languages:
        wanted = {notebook_path(root, lang, chapter) for chapter in chapters(root)}
        for path in sorted(wanted):
            if write_if_changed(path, render_notebook(root, root / "chapters" / f"{path.stem}.md", lang)):
                written.append(path)
        for orphan in sorted((root / "notebooks" / lang).glob("*.ipynb")):
            if orphan not in wanted:
                orphan.unlink()
    return written
