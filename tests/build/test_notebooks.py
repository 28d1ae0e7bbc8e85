"""Tests for perflab.build.notebooks: one notebook per chapter and language, deterministic and clean."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from fixtures.demo_repo import CHAPTER, make_repo, set_msgstr

from perflab.build.catalogs import update_catalogs
from perflab.build.notebooks import (
    BANNER_CELL_ID,
    LANGUAGE_CELL_ID,
    build_notebooks,
    heading_anchors,
    language_cell_source,
    notebook_path,
)

LANGS = ("en", "bn", "ru")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fully translated demo course with its notebooks built."""
    return make_repo(tmp_path / "course")


def _notebook(root: Path, lang: str) -> nbformat.NotebookNode:
    return nbformat.read(notebook_path(root, lang, Path(f"{CHAPTER}.md")), as_version=4)


def _all_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "notebooks").rglob("*.ipynb"))}


def test_one_notebook_per_chapter_and_language(repo: Path) -> None:
    assert sorted(_all_bytes(repo)) == [f"notebooks/{lang}/{CHAPTER}.ipynb" for lang in ("bn", "en", "ru")]


def test_two_builds_are_byte_identical(repo: Path) -> None:
    first = _all_bytes(repo)
    assert build_notebooks(repo) == [], "an unchanged build writes nothing"
    for path in (repo / "notebooks").rglob("*.ipynb"):
        path.unlink()
    assert len(build_notebooks(repo)) == 3
    assert _all_bytes(repo) == first


def test_output_is_sorted_indented_json_with_a_final_newline(repo: Path) -> None:
    text = notebook_path(repo, "ru", Path(f"{CHAPTER}.md")).read_text(encoding="utf-8")
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    assert "Итоги" in text, "non-ASCII text is written as is"


@pytest.mark.parametrize("lang", LANGS)
def test_notebooks_are_valid_nbformat_4_5(repo: Path, lang: str) -> None:
    notebook = _notebook(repo, lang)
    nbformat.validate(notebook)
    assert (notebook.nbformat, notebook.nbformat_minor) == (4, 5)


@pytest.mark.parametrize("lang", LANGS)
def test_first_cell_sets_the_language(repo: Path, lang: str) -> None:
    first = _notebook(repo, lang).cells[0]
    assert (first.cell_type, first.id) == ("code", LANGUAGE_CELL_ID)
    assert first.source == f'import perflab\nperflab.use_language("{lang}")' == language_cell_source(lang)


def test_code_cells_are_identical_across_languages_except_the_first(repo: Path) -> None:
    def code(lang: str) -> list[tuple[str, str, dict[str, object]]]:
        cells = _notebook(repo, lang).cells[1:]
        return [(c.id, c.source, dict(c.metadata)) for c in cells if c.cell_type == "code"]

    assert code("en") == code("bn") == code("ru")
    assert code("en")[1] == ("show-title", "print(app.title)", {"tags": ["hide-output"]})


def test_cell_ids_are_the_chapter_ids(repo: Path) -> None:
    ids = [cell.id for cell in _notebook(repo, "bn").cells]
    assert ids == [LANGUAGE_CELL_ID, "intro", "make-app", "measure", "show-title", "summary"]
    assert all("id" not in cell.metadata for cell in _notebook(repo, "bn").cells)


@pytest.mark.parametrize("lang", LANGS)
def test_no_outputs_and_no_execution_counts(repo: Path, lang: str) -> None:
    for cell in _notebook(repo, lang).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("lang", LANGS)
def test_notebook_metadata(repo: Path, lang: str) -> None:
    metadata = _notebook(repo, lang).metadata
    assert metadata.kernelspec.name == "python3"
    assert metadata.language_info.name == "python"
    assert "version" not in metadata.language_info, "no machine-dependent values"
    assert metadata.perflab == {"chapter": CHAPTER, "lang": lang, "source": f"chapters/{CHAPTER}.md"}
    assert "jupytext" not in metadata


def test_markdown_comes_from_the_catalog_with_jupyter_anchors(repo: Path) -> None:
    cells = {cell.id: cell.source for cell in _notebook(repo, "ru").cells}
    assert cells["summary"] == '## Итоги <a id="summary"></a>\n\nПриложение, число, график.'
    assert cells["measure"].startswith('## Измеряем <a id="measure"></a>\n')
    assert '# A demo chapter <a id="demo"></a>' in {c.id: c.source for c in _notebook(repo, "en").cells}["intro"]


def test_heading_anchors_ignore_code_blocks() -> None:
    text = "# Title {#top}\n\n```python\n# not a heading {#no}\n```\n\nSetext {#low}\n---"
    assert heading_anchors(text) == [(0, "top"), (6, "low")]


def test_fully_translated_notebook_has_no_banner(repo: Path) -> None:
    for lang in LANGS:
        assert BANNER_CELL_ID not in [cell.id for cell in _notebook(repo, lang).cells]


def test_untranslated_entry_falls_back_to_english_under_a_banner(repo: Path) -> None:
    set_msgstr(repo, "bn", CHAPTER, "summary", "")
    build_notebooks(repo)
    cells = _notebook(repo, "bn").cells
    assert [cell.id for cell in cells[:2]] == [LANGUAGE_CELL_ID, BANNER_CELL_ID]
    assert cells[1].cell_type == "markdown" and "1টি" in cells[1].source
    assert f"locales/bn/LC_MESSAGES/{CHAPTER}.po" in cells[1].source
    assert {c.id: c.source for c in cells}["summary"].startswith("## Summary")
    assert BANNER_CELL_ID not in [cell.id for cell in _notebook(repo, "ru").cells]


def test_fuzzy_entry_falls_back_to_english(repo: Path) -> None:
    chapter = repo / "chapters" / f"{CHAPTER}.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("a plot.", "two plots."), encoding="utf-8")
    update_catalogs(repo)
    build_notebooks(repo)
    cells = {cell.id: cell.source for cell in _notebook(repo, "ru").cells}
    assert cells["summary"].endswith("two plots.")
    assert "Текстовых ячеек на английском: 1" in cells[BANNER_CELL_ID]


def test_notebook_of_a_deleted_chapter_is_removed(repo: Path) -> None:
    stray = repo / "notebooks" / "bn" / "99_gone.ipynb"
    stray.write_text("{}", encoding="utf-8")
    build_notebooks(repo)
    assert not stray.exists()
