"""Tests for perflab.build.catalogs: extraction into templates, and merging into the bn and ru catalogs."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from fixtures.demo_repo import CHAPTER, make_repo, set_msgstr, translate

from perflab.build.catalogs import PLURAL_FORMS, merge_catalog, update_catalogs
from perflab.build.extract import Message, manifest_hints, python_messages, runtime_messages
from perflab.build.notebooks import catalog_path, read_chapter


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An untranslated demo course with fresh templates and catalogs."""
    return make_repo(tmp_path / "course", translated=False)


def _po(root: Path, domain: str, lang: str | None = None) -> polib.POFile:
    return polib.pofile(str(catalog_path(root, domain, lang)))


def _entry(po: polib.POFile, key: str) -> polib.POEntry:
    return next(e for e in po if (e.msgctxt or e.msgid) == key)


def _edit_chapter(root: Path, old: str, new: str) -> None:
    path = root / "chapters" / f"{CHAPTER}.md"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_template_has_one_entry_per_markdown_cell_with_its_id_as_msgctxt(repo: Path) -> None:
    pot = _po(repo, CHAPTER)
    cells = [c for c in read_chapter(repo / "chapters" / f"{CHAPTER}.md").cells if c.cell_type == "markdown"]
    assert [(e.msgctxt, e.msgid) for e in pot] == [(c.metadata["id"], c.source) for c in cells]
    assert [e.msgctxt for e in pot] == ["intro", "measure", "summary"]
    assert not any("FastAPI()" in e.msgid for e in pot), "code cells are never extracted"


@pytest.mark.parametrize("lang", ["bn", "ru"])
def test_new_catalogs_have_language_plural_forms_and_utf8_headers(repo: Path, lang: str) -> None:
    po = _po(repo, CHAPTER, lang)
    assert po.metadata["Language"] == lang
    assert po.metadata["Plural-Forms"] == PLURAL_FORMS[lang]
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert all(entry.msgstr == "" for entry in po)


def test_plural_forms_are_the_standard_ones() -> None:
    assert PLURAL_FORMS["bn"] == "nplurals=2; plural=(n != 1);"
    assert PLURAL_FORMS["ru"].startswith("nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 :")


def test_output_has_no_dates_and_no_line_numbers(repo: Path) -> None:
    for path in sorted((repo / "locales").rglob("*.po*")):
        text = path.read_text(encoding="utf-8")
        assert "POT-Creation-Date" not in text and "PO-Revision-Date" not in text
        assert "fake.py:" not in text, f"{path} carries line numbers"
        assert text.endswith("\n")


def test_update_twice_changes_no_byte(repo: Path) -> None:
    before = {p: p.read_bytes() for p in sorted((repo / "locales").rglob("*.po*"))}
    report = update_catalogs(repo)
    assert {p: p.read_bytes() for p in sorted((repo / "locales").rglob("*.po*"))} == before
    assert not any(status.changed for status in report.catalogs)
    assert "unchanged" in str(report)


def test_babel_finds_literal_first_arguments_of_underscore_calls(repo: Path) -> None:
    found = {m.msgid: m for m in python_messages(repo)}
    assert list(found) == ["Port {port} is already in use.", "Server stopped."]
    port = found["Port {port} is already in use."]
    assert port.occurrences == ("perflab/fake.py",)
    assert port.flags == ("python-brace-format",)
    assert port.comments == ("{port} is a TCP port number.",)
    assert found["Server stopped."].flags == ()


def test_perflab_template_lists_runtime_messages_with_flags(repo: Path) -> None:
    entry = _entry(_po(repo, "perflab"), "Port {port} is already in use.")
    assert entry.msgctxt is None
    assert "python-brace-format" in entry.flags
    assert entry.occurrences == [("perflab/fake.py", "")]


def test_manifest_hints_are_collected_from_any_depth(repo: Path) -> None:
    (repo / "exercises").mkdir()
    (repo / "exercises" / "manifest.toml").write_text(
        'hints = ["Top hint."]\n[[exercise]]\nname = "e1"\nhints = ["Use `await`.", "Server stopped."]\n'
        '[group.inner]\nhints = ["Deep hint."]\n',
        encoding="utf-8",
    )
    assert [m.msgid for m in manifest_hints(repo)] == ["Top hint.", "Use `await`.", "Server stopped.", "Deep hint."]
    update_catalogs(repo)
    pot = _po(repo, "perflab")
    assert [e.msgid for e in pot][-3:] == ["Top hint.", "Use `await`.", "Deep hint."]
    assert _entry(pot, "Server stopped.").occurrences == [("perflab/fake.py", ""), ("exercises/manifest.toml", "")]


def test_no_manifest_means_no_hints(repo: Path) -> None:
    assert manifest_hints(repo) == []


def test_message_sources_are_pluggable(repo: Path) -> None:
    def extra(root: Path) -> list[Message]:
        return [Message("From a plugin.", occurrences=("plugin",))]

    assert [m.msgid for m in runtime_messages(repo, [extra, python_messages])] == [
        "From a plugin.",
        "Port {port} is already in use.",
        "Server stopped.",
    ]


def test_new_cell_is_added_untranslated_in_source_order(repo: Path) -> None:
    translate(repo)
    _edit_chapter(repo, '+++ {"id": "summary"}', '+++ {"id": "extra"}\n\nA new cell.\n\n+++ {"id": "summary"}')
    update_catalogs(repo)
    po = _po(repo, CHAPTER, "ru")
    assert [e.msgctxt for e in po] == ["intro", "measure", "extra", "summary"]
    assert _entry(po, "extra").msgstr == "" and not _entry(po, "extra").fuzzy
    assert _entry(po, "summary").msgstr.startswith("## Итоги")


def test_changed_english_cell_keeps_msgstr_and_becomes_fuzzy_with_previous_msgid(repo: Path) -> None:
    translate(repo)
    old = _entry(_po(repo, CHAPTER, "bn"), "summary").msgid
    _edit_chapter(repo, "An app, a number, a plot.", "An app, two numbers, a plot.")
    update_catalogs(repo)
    entry = _entry(_po(repo, CHAPTER, "bn"), "summary")
    assert entry.fuzzy
    assert entry.previous_msgid == old
    assert entry.msgid.endswith("An app, two numbers, a plot.")
    assert entry.msgstr.startswith("## সারসংক্ষেপ")


def test_fuzzy_entry_keeps_its_first_previous_msgid_through_a_second_change(repo: Path) -> None:
    translate(repo)
    first = _entry(_po(repo, CHAPTER, "ru"), "summary").msgid
    _edit_chapter(repo, "An app, a number, a plot.", "Second wording.")
    update_catalogs(repo)
    _edit_chapter(repo, "Second wording.", "Third wording.")
    update_catalogs(repo)
    entry = _entry(_po(repo, CHAPTER, "ru"), "summary")
    assert entry.fuzzy and entry.previous_msgid == first


def test_fixing_a_fuzzy_entry_sticks(repo: Path) -> None:
    translate(repo)
    _edit_chapter(repo, "An app, a number, a plot.", "An app and a plot.")
    update_catalogs(repo)
    set_msgstr(repo, "ru", CHAPTER, "summary", "## Итоги {#summary}\n\nПриложение и график.")
    update_catalogs(repo)
    entry = _entry(_po(repo, CHAPTER, "ru"), "summary")
    assert not entry.fuzzy and entry.previous_msgid is None


def test_removed_cell_becomes_obsolete_and_comes_back_translated(repo: Path) -> None:
    translate(repo)
    source = (repo / "chapters" / f"{CHAPTER}.md").read_text(encoding="utf-8")
    head, _summary = source.split('+++ {"id": "summary"}')
    (repo / "chapters" / f"{CHAPTER}.md").write_text(head, encoding="utf-8")
    update_catalogs(repo)
    po = _po(repo, CHAPTER, "ru")
    assert [e.msgctxt for e in po if not e.obsolete] == ["intro", "measure"]
    assert [e.msgctxt for e in po.obsolete_entries()] == ["summary"]
    assert "#~ msgctxt \"summary\"" in catalog_path(repo, CHAPTER, "ru").read_text(encoding="utf-8")
    (repo / "chapters" / f"{CHAPTER}.md").write_text(source, encoding="utf-8")
    update_catalogs(repo)
    entry = _entry(_po(repo, CHAPTER, "ru"), "summary")
    assert not entry.obsolete and not entry.fuzzy and entry.msgstr.startswith("## Итоги")


def test_removed_untranslated_entry_is_dropped(repo: Path) -> None:
    source = (repo / "chapters" / f"{CHAPTER}.md").read_text(encoding="utf-8")
    (repo / "chapters" / f"{CHAPTER}.md").write_text(source.split('+++ {"id": "summary"}')[0], encoding="utf-8")
    update_catalogs(repo)
    assert "summary" not in catalog_path(repo, CHAPTER, "bn").read_text(encoding="utf-8")


def test_renamed_cell_id_carries_the_translation_as_fuzzy(repo: Path) -> None:
    translate(repo)
    _edit_chapter(repo, '+++ {"id": "summary"}', '+++ {"id": "wrap-up"}')
    update_catalogs(repo)
    entry = _entry(_po(repo, CHAPTER, "bn"), "wrap-up")
    assert entry.fuzzy and entry.previous_msgctxt == "summary" and entry.msgstr.startswith("## সারসংক্ষেপ")
    before = {p: p.read_bytes() for p in sorted((repo / "locales").rglob("*.po*"))}
    update_catalogs(repo)
    assert {p: p.read_bytes() for p in sorted((repo / "locales").rglob("*.po*"))} == before, "fuzzy entries round-trip"


def test_changed_runtime_message_is_fuzzy_matched_like_msgmerge(repo: Path) -> None:
    translate(repo)
    fake = repo / "perflab" / "fake.py"
    fake.write_text(fake.read_text().replace("is already in use.", "is already in use!"), encoding="utf-8")
    update_catalogs(repo)
    entry = _entry(_po(repo, "perflab", "ru"), "Port {port} is already in use!")
    assert entry.fuzzy and entry.previous_msgid == "Port {port} is already in use."
    assert entry.msgstr == "Порт {port} уже занят."
    assert not _po(repo, "perflab", "ru").obsolete_entries()


def test_unrelated_new_runtime_message_starts_untranslated(repo: Path) -> None:
    translate(repo)
    fake = repo / "perflab" / "fake.py"
    fake.write_text(fake.read_text().replace("Server stopped.", "Completely different words here."), encoding="utf-8")
    update_catalogs(repo)
    po = _po(repo, "perflab", "ru")
    assert _entry(po, "Completely different words here.").msgstr == ""
    assert [e.msgid for e in po.obsolete_entries()] == ["Server stopped."]


def test_translator_headers_and_comments_survive_an_update(repo: Path) -> None:
    path = catalog_path(repo, CHAPTER, "ru")
    po = polib.pofile(str(path))
    po.metadata["Last-Translator"] = "Анна <anna@example.org>"
    _entry(po, "intro").tcomment = "Keep it short."
    path.write_text(str(po), encoding="utf-8")
    update_catalogs(repo)
    po = _po(repo, CHAPTER, "ru")
    assert po.metadata["Last-Translator"] == "Анна <anna@example.org>"
    assert _entry(po, "intro").tcomment == "Keep it short."


def test_merge_catalog_without_an_old_catalog_sets_the_header(repo: Path) -> None:
    po = merge_catalog(_po(repo, CHAPTER), None, "bn", "A header.")
    assert po.header == "A header."
    assert po.metadata["Language"] == "bn" and [e.msgstr for e in po] == ["", "", ""]


def test_template_of_a_deleted_chapter_is_removed(repo: Path) -> None:
    (repo / "chapters" / f"{CHAPTER}.md").unlink()
    report = update_catalogs(repo)
    assert not catalog_path(repo, CHAPTER).exists()
    assert catalog_path(repo, CHAPTER, "bn").exists(), "translations are never deleted"
    assert any("removed locales/templates/01_demo.pot" in warning for warning in report.warnings)


def test_cells_without_ids_are_left_out_with_a_warning(repo: Path) -> None:
    _edit_chapter(repo, '+++ {"id": "summary"}', "+++")
    report = update_catalogs(repo)
    assert [e.msgctxt for e in _po(repo, CHAPTER)] == ["intro", "measure"]
    assert report.warnings == ["chapters/01_demo.md: markdown cell #5 has no id and is left out"]


def test_a_fuzzy_entry_stays_fuzzy_through_removal_and_revival(repo: Path) -> None:
    translate(repo)
    chapter = repo / "chapters" / f"{CHAPTER}.md"
    _edit_chapter(repo, "An app, a number, a plot.", "Changed.")
    update_catalogs(repo)
    changed = chapter.read_text(encoding="utf-8")
    chapter.write_text(changed.split('+++ {"id": "summary"}')[0], encoding="utf-8")
    update_catalogs(repo)
    assert [e.fuzzy for e in _po(repo, CHAPTER, "ru").obsolete_entries()] == [True]
    chapter.write_text(changed, encoding="utf-8")
    update_catalogs(repo)
    assert _entry(_po(repo, CHAPTER, "ru"), "summary").fuzzy
    before = catalog_path(repo, CHAPTER, "ru").read_bytes()
    update_catalogs(repo)
    assert catalog_path(repo, CHAPTER, "ru").read_bytes() == before


PLURAL_MODULE = 'from perflab.i18n import ngettext\n\n\ndef rows(n: int) -> str:\n    return ngettext("{n} row", "{n} rows", n)\n'


def test_an_ngettext_message_gets_one_form_per_plural_form_of_each_language(repo: Path) -> None:
    (repo / "perflab" / "plural.py").write_text(PLURAL_MODULE, encoding="utf-8")
    update_catalogs(repo)
    template = _entry(_po(repo, "perflab"), "{n} row")
    assert template.msgid_plural == "{n} rows" and "python-brace-format" in template.flags
    assert len(_entry(_po(repo, "perflab", "ru"), "{n} row").msgstr_plural) == 3
    assert len(_entry(_po(repo, "perflab", "bn"), "{n} row").msgstr_plural) == 2


def test_plural_translations_carry_over_an_update(repo: Path) -> None:
    (repo / "perflab" / "plural.py").write_text(PLURAL_MODULE, encoding="utf-8")
    update_catalogs(repo)
    po = _po(repo, "perflab", "ru")
    _entry(po, "{n} row").msgstr_plural = {0: "{n} строка", 1: "{n} строки", 2: "{n} строк"}
    po.save(str(catalog_path(repo, "perflab", "ru")))
    update_catalogs(repo)
    assert _entry(_po(repo, "perflab", "ru"), "{n} row").msgstr_plural == {0: "{n} строка", 1: "{n} строки", 2: "{n} строк"}
