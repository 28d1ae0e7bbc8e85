"""Tests for perflab.build.gate: each class of defect fails the gate with a precise message, and a clean course passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures.demo_repo import CHAPTER, TRANSLATIONS, make_repo, set_msgstr

from perflab.build.catalogs import update_catalogs
from perflab.build.gate import Problem, compare_markup, markup, run_gate
from perflab.build.notebooks import build_notebooks

PO = f"locales/ru/LC_MESSAGES/{CHAPTER}.po"
RU = TRANSLATIONS["ru"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fully translated demo course that passes the gate."""
    root = make_repo(tmp_path / "course")
    assert run_gate(root) == []
    return root


def _problems(root: Path) -> list[str]:
    return [str(problem) for problem in run_gate(root)]


def _retranslate(root: Path, key: str, text: str, domain: str = CHAPTER) -> list[str]:
    """Give one ru entry a new msgstr, rebuild the notebooks, and return the gate's problems."""
    set_msgstr(root, "ru", domain, key, text)
    build_notebooks(root)
    return _problems(root)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_problem_prints_file_place_and_message() -> None:
    assert str(Problem("a.po", "untranslated", "msgctxt 'x'")) == "a.po: [msgctxt 'x'] untranslated"
    assert str(Problem("a.po", "missing catalog")) == "a.po: missing catalog"


def test_clean_course_passes(repo: Path) -> None:
    assert _problems(repo) == []


def test_untranslated_lesson_entry_fails(repo: Path) -> None:
    assert _retranslate(repo, "summary", "") == [f"{PO}: [msgctxt 'summary'] untranslated"]


def test_untranslated_runtime_message_fails(repo: Path) -> None:
    assert _retranslate(repo, "Server stopped.", "", domain="perflab") == [
        "locales/ru/LC_MESSAGES/perflab.po: [msgid 'Server stopped.'] untranslated"
    ]


def test_fuzzy_entry_fails(repo: Path) -> None:
    _edit(repo / "chapters" / f"{CHAPTER}.md", "a plot.", "two plots.")
    update_catalogs(repo)
    build_notebooks(repo)
    fuzzy = "fuzzy: the English changed; update msgstr, then remove the fuzzy flag"
    assert _problems(repo) == [
        f"locales/bn/LC_MESSAGES/{CHAPTER}.po: [msgctxt 'summary'] {fuzzy}",
        f"{PO}: [msgctxt 'summary'] {fuzzy}",
    ]


def test_missing_catalog_fails(repo: Path) -> None:
    (repo / PO).unlink()
    assert f"{PO}: missing catalog: run make translations" in _problems(repo)


def test_catalog_not_updated_after_a_new_cell_fails(repo: Path) -> None:
    new_cell = '+++ {"id": "more"}\n\nMore.\n\n+++ {"id": "summary"}'
    _edit(repo / "chapters" / f"{CHAPTER}.md", '+++ {"id": "summary"}', new_cell)
    update_catalogs(repo)
    (repo / PO).write_text((repo / PO).read_text(encoding="utf-8").split('msgctxt "more"')[0], encoding="utf-8")
    assert f"{PO}: [msgctxt 'more'] not current: entry missing: run make translations" in _problems(repo)


def test_wrong_plural_forms_header_fails(repo: Path) -> None:
    _edit(repo / PO, "nplurals=3;", "nplurals=2;")
    assert any(p.startswith(f"{PO}: header Plural-Forms is 'nplurals=2;") for p in _problems(repo))


def test_lost_or_altered_placeholder_fails(repo: Path) -> None:
    where = "locales/ru/LC_MESSAGES/perflab.po: [msgid 'Port {port} is already in use.']"
    key = "Port {port} is already in use."
    lost = [f"{where} translation loses placeholder '{{port}}'"]
    assert _retranslate(repo, key, "Порт уже занят.", "perflab") == lost
    assert _retranslate(repo, key, "Порт {порт} уже занят.", "perflab") == [
        f"{where} translation loses placeholder '{{port}}'",
        f"{where} translation adds placeholder '{{порт}}'",
    ]
    assert _retranslate(repo, key, "Порт {port уже занят.", "perflab")[0].startswith(
        f"{where} translation is not a valid format string"
    )


def test_lost_code_span_fails(repo: Path) -> None:
    text = RU["intro"].replace("`serve(app)`", "serve(app)")
    assert _retranslate(repo, "intro", text) == [f"{PO}: [msgctxt 'intro'] translation loses code span 'serve(app)'"]


def test_translated_code_span_fails(repo: Path) -> None:
    text = RU["measure"].replace("`latency_ms`", "`задержка_мс`")
    lost = [f"{PO}: [msgctxt 'measure'] translation loses code span 'latency_ms'"]
    assert _retranslate(repo, "measure", text) == lost


def test_altered_fenced_code_block_fails(repo: Path) -> None:
    text = RU["measure"].replace("rps = requests / duration_s", "rps = запросы / duration_s")
    assert _retranslate(repo, "measure", text) == [
        f"{PO}: [msgctxt 'measure'] translation loses code block '```python rps = requests / duration_s ```'",
        f"{PO}: [msgctxt 'measure'] translation adds code block '```python rps = запросы / duration_s ```'",
    ]


def test_changed_link_target_fails(repo: Path) -> None:
    text = RU["intro"].replace("https://fastapi.tiangolo.com/", "https://fastapi.tiangolo.com/ru/")
    assert _retranslate(repo, "intro", text) == [
        f"{PO}: [msgctxt 'intro'] translation loses link target 'https://fastapi.tiangolo.com/'",
        f"{PO}: [msgctxt 'intro'] translation adds link target 'https://fastapi.tiangolo.com/ru/'",
    ]


def test_changed_heading_anchor_fails(repo: Path) -> None:
    assert _retranslate(repo, "summary", RU["summary"].replace("{#summary}", "{#итоги}")) == [
        f"{PO}: [msgctxt 'summary'] translation loses heading anchor 'summary'",
        f"{PO}: [msgctxt 'summary'] translation adds heading anchor 'итоги'",
    ]
    assert _retranslate(repo, "summary", RU["summary"].replace(" {#summary}", "")) == [
        f"{PO}: [msgctxt 'summary'] translation loses heading anchor 'summary'"
    ]


def test_reordered_heading_anchors_fail() -> None:
    source = "## One {#one}\n\n## Two {#two}"
    assert compare_markup(source, "## Два {#two}\n\n## Один {#one}") == [
        "reorders heading anchors: ['one', 'two'] became ['two', 'one']"
    ]
    assert compare_markup(source, "## Один { #one }\n\n## Два {#two}") == []


def test_lost_myst_role_fails(repo: Path) -> None:
    text = RU["measure"].replace("{kbd}`Ctrl-C`", "Ctrl-C")
    assert _retranslate(repo, "measure", text) == [f"{PO}: [msgctxt 'measure'] translation loses role '{{kbd}}'"]


def test_changed_myst_directive_fails(repo: Path) -> None:
    text = RU["measure"].replace(":::{note}", ":::{tip}")
    assert _retranslate(repo, "measure", text) == [
        f"{PO}: [msgctxt 'measure'] translation loses directive '{{note}}'",
        f"{PO}: [msgctxt 'measure'] translation adds directive '{{tip}}'",
    ]


def test_lost_html_tag_fails(repo: Path) -> None:
    text = RU["measure"].replace("<b>порт 8000</b>", "порт 8000")
    assert _retranslate(repo, "measure", text) == [
        f"{PO}: [msgctxt 'measure'] translation loses HTML tag '<b>'",
        f"{PO}: [msgctxt 'measure'] translation loses HTML tag '</b>'",
    ]


def test_markup_reads_every_kind() -> None:
    found = markup(
        "## T {#t}\n\nSee [a](u) ![i](p.png) <https://x.org> {ref}`r` `c` <i>x</i> {n}.\n\n"
        "```{note}\nIn `note`.\n```\n\n    indented code\n",
    )
    assert found == {
        "placeholder": ["{n}"],
        "code span": ["c", "note"],
        "code block": ["\nindented code\n"],
        "link target": ["u", "p.png", "https://x.org"],
        "heading anchor": ["t"],
        "role": ["{ref}"],
        "directive": ["{note}"],
        "HTML tag": ["<i>", "</i>"],
    }


def test_stale_notebook_fails(repo: Path) -> None:
    set_msgstr(repo, "ru", CHAPTER, "summary", "## Итоги {#summary}\n\nПриложение и график.")
    assert _problems(repo) == [
        f"notebooks/ru/{CHAPTER}.ipynb: stale: differs from a fresh build of chapters/{CHAPTER}.md "
        "and its catalog: run make notebooks"
    ]


def test_missing_notebook_fails(repo: Path) -> None:
    (repo / "notebooks" / "bn" / f"{CHAPTER}.ipynb").unlink()
    assert _problems(repo) == [
        f"notebooks/bn/{CHAPTER}.ipynb: missing notebook for chapters/{CHAPTER}.md: run make notebooks"
    ]


def test_notebook_without_a_chapter_fails(repo: Path) -> None:
    (repo / "notebooks" / "en" / "99_gone.ipynb").write_text("{}", encoding="utf-8")
    assert _problems(repo) == ["notebooks/en/99_gone.ipynb: notebook without a chapter: run make notebooks"]


def test_committed_notebook_with_outputs_fails(repo: Path) -> None:
    path = repo / "notebooks" / "en" / f"{CHAPTER}.ipynb"
    notebook = json.loads(path.read_text(encoding="utf-8"))
    notebook["cells"][4]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["FastAPI\n"]}]
    notebook["cells"][4]["execution_count"] = 3
    path.write_text(json.dumps(notebook, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    problems = _problems(repo)
    said = "code cell has outputs or an execution count: notebooks ship clean"
    assert f"notebooks/en/{CHAPTER}.ipynb: [show-title] {said}" in problems


def test_chapter_source_with_output_artifacts_fails(repo: Path) -> None:
    _edit(repo / "chapters" / f"{CHAPTER}.md", ":id: show-title", ":id: show-title\n:execution: {iopub.status.idle: x}")
    said = "cell metadata holds an output artifact: execution"
    assert f"chapters/{CHAPTER}.md: [cell #4 'show-title'] {said}" in _problems(repo)
    (repo / "chapters" / "02_paired.ipynb").write_text("{}", encoding="utf-8")
    assert any(p.startswith("chapters/02_paired.ipynb: a notebook in chapters/") for p in _problems(repo))


def test_saved_widget_state_in_front_matter_fails(repo: Path) -> None:
    _edit(repo / "chapters" / f"{CHAPTER}.md", "kernelspec:", "widgets:\n  state: {}\nkernelspec:")
    said = "front matter holds saved widget state (metadata.widgets): remove it"
    assert f"chapters/{CHAPTER}.md: {said}" in _problems(repo)


def test_template_out_of_date_fails(repo: Path) -> None:
    _edit(repo / "chapters" / f"{CHAPTER}.md", "a plot.", "two plots.")
    assert (
        f"locales/templates/{CHAPTER}.pot: out of date with its source (msgctxt 'summary'): "
        "run make translations"
    ) in _problems(repo)


def test_template_missing_or_orphaned_fails(repo: Path) -> None:
    (repo / "locales" / "templates" / "perflab.pot").unlink()
    (repo / "locales" / "templates" / "99_gone.pot").write_text("", encoding="utf-8")
    problems = _problems(repo)
    assert "locales/templates/perflab.pot: missing template: run make translations" in problems
    assert "locales/templates/99_gone.pot: template for a chapter that no longer exists: delete it" in problems


def test_code_cells_that_differ_between_languages_fail(repo: Path) -> None:
    _edit(repo / "notebooks" / "bn" / f"{CHAPTER}.ipynb", '"print(app.title)"', '"print(app.title)  # শিরোনাম"')
    problems = _problems(repo)
    assert (
        f"notebooks/bn/{CHAPTER}.ipynb: [show-title] code cells differ from notebooks/en/{CHAPTER}.ipynb: "
        "code is the same in every language"
    ) in problems


def test_wrong_language_cell_fails(repo: Path) -> None:
    _edit(repo / "notebooks" / "ru" / f"{CHAPTER}.ipynb", 'use_language(\\"ru\\")', 'use_language(\\"en\\")')
    said = f"notebooks/ru/{CHAPTER}.ipynb: first cell must be the 'perflab-language' code cell"
    assert any(p.startswith(said) for p in _problems(repo))


def test_cell_without_id_fails(repo: Path) -> None:
    _edit(repo / "chapters" / f"{CHAPTER}.md", ":id: show-title\n", "")
    _edit(repo / "chapters" / f"{CHAPTER}.md", '+++ {"id": "summary"}', "+++")
    problems = _problems(repo)
    assert f"chapters/{CHAPTER}.md: [cell #4] code cell has no id: add an :id: ... option" in problems
    said = 'markdown cell has no id: put +++ {"id": "..."} on the line before it'
    assert f"chapters/{CHAPTER}.md: [cell #5] {said}" in problems


def test_duplicate_invalid_or_reserved_ids_fail(repo: Path) -> None:
    chapter = repo / "chapters" / f"{CHAPTER}.md"
    _edit(chapter, ":id: show-title", ":id: make-app")
    _edit(chapter, '+++ {"id": "summary"}', '+++ {"id": "perflab-language"}')
    _edit(chapter, '+++ {"id": "measure"}', '+++ {"id": "measure it"}')
    problems = _problems(repo)
    assert f"chapters/{CHAPTER}.md: [cell #4 'make-app'] duplicate id 'make-app' (first used by cell #2)" in problems
    reserved = "id 'perflab-language' is reserved for a generated cell"
    assert f"chapters/{CHAPTER}.md: [cell #5 'perflab-language'] {reserved}" in problems
    invalid = "id 'measure it' is invalid: use 1-64 letters, digits, - or _"
    assert f"chapters/{CHAPTER}.md: [cell #3 'measure it'] {invalid}" in problems


def test_orphan_catalog_fails(repo: Path) -> None:
    (repo / "locales" / "bn" / "LC_MESSAGES" / "99_gone.po").write_text("", encoding="utf-8")
    said = "catalog for a chapter that no longer exists: delete it"
    assert _problems(repo) == [f"locales/bn/LC_MESSAGES/99_gone.po: {said}"]


def test_a_number_put_into_a_noun_without_ngettext_fails(repo: Path) -> None:
    (repo / "perflab" / "rows.py").write_text(
        'from perflab.i18n import _\n\n\ndef rows(n: int) -> str:\n    return _("{count} rows", count=n)\n', encoding="utf-8")
    update_catalogs(repo)
    assert any("puts a number into a noun ({count} rows): use ngettext" in p for p in _problems(repo))


def test_a_plural_entry_needs_every_form(repo: Path) -> None:
    (repo / "perflab" / "rows.py").write_text(
        'from perflab.i18n import ngettext\n\n\ndef rows(n: int) -> str:\n    return ngettext("{n} row", "{n} rows", n)\n',
        encoding="utf-8")
    update_catalogs(repo)
    problems = [p for p in _problems(repo) if "'{n} row'" in p]
    assert problems == [
        "locales/bn/LC_MESSAGES/perflab.po: [msgid '{n} row'] untranslated: every plural form needs a translation",
        "locales/ru/LC_MESSAGES/perflab.po: [msgid '{n} row'] untranslated: every plural form needs a translation",
    ]
