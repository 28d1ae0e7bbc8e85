from __future__ import annotations

from pathlib import Path

import polib
import pytest

from perflab import i18n


def _write_catalog(root: Path, lang: str, entries: dict[str, str], fuzzy: tuple[str, ...] = ()) -> None:
    po = polib.POFile()
    for msgid, msgstr in entries.items():
        po.append(polib.POEntry(msgid=msgid, msgstr=msgstr, flags=["fuzzy"] if msgid in fuzzy else []))
    folder = root / lang / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save(str(folder / "perflab.po"))


@pytest.fixture
def locales(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PERFLAB_LOCALES", str(tmp_path))
    _write_catalog(tmp_path, "ru", {"Port {port} is busy": "Порт {port} занят", "Stale": "Устарело"}, fuzzy=("Stale",))
    return tmp_path


def test_use_language_switches_messages(locales: Path) -> None:
    i18n.use_language("ru")
    assert i18n._("Port {port} is busy", port=8000) == "Порт 8000 занят"


def test_english_is_the_source_text(locales: Path) -> None:
    i18n.use_language("en")
    assert i18n._("Port {port} is busy", port=1) == "Port 1 is busy"


def test_fuzzy_and_missing_entries_fall_back_to_english(locales: Path) -> None:
    i18n.use_language("ru")
    assert i18n._("Stale") == "Stale"
    assert i18n._("Never translated") == "Never translated"


def test_unknown_language_lists_the_available_ones() -> None:
    with pytest.raises(i18n.UnknownLanguage) as info:
        i18n.use_language("de")
    for code in i18n.LANGUAGES:
        assert code in str(info.value)


def test_language_codes_are_normalised() -> None:
    assert i18n.use_language("RU_ru") == "ru"
    assert i18n.use_language("bn-BD") == "bn"


def test_perflab_lang_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "_state", {"lang": ""})
    monkeypatch.setenv("PERFLAB_LANG", "bn")
    assert i18n.current_language() == "bn"


def test_an_edited_catalog_is_picked_up(locales: Path) -> None:
    i18n.use_language("ru")
    assert i18n._("Stale") == "Stale"
    _path = locales / "ru" / "LC_MESSAGES" / "perflab.po"
    po = polib.pofile(str(_path))
    po.find("Stale").flags = []
    po.save(str(_path))
    assert i18n._("Stale") == "Устарело"


def _write_plural_catalog(root: Path, lang: str, plural_forms: str, forms: list[str]) -> None:
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Plural-Forms": plural_forms}
    po.append(polib.POEntry(msgid="{n} request", msgid_plural="{n} requests",
                            msgstr_plural=dict(enumerate(forms))))
    folder = root / lang / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po.save(str(folder / "perflab.po"))


def test_ngettext_picks_the_plural_form_the_language_needs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFLAB_LOCALES", str(tmp_path))
    ru_rule = "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
    _write_plural_catalog(tmp_path, "ru", ru_rule, ["{n} запрос", "{n} запроса", "{n} запросов"])
    i18n.use_language("en")
    assert [i18n.ngettext("{n} request", "{n} requests", n) for n in (1, 2)] == ["1 request", "2 requests"]
    i18n.use_language("ru")
    said = [i18n.ngettext("{n} request", "{n} requests", n) for n in (1, 3, 5, 11, 21, 22, 0)]
    assert said == ["1 запрос", "3 запроса", "5 запросов", "11 запросов", "21 запрос", "22 запроса", "0 запросов"]
    assert i18n.ngettext("{n} file", "{n} files", 4) == "4 files"  # untranslated: the English, in its form


def test_ngettext_fills_the_other_fields_too(locales: Path) -> None:
    i18n.use_language("ru")
    assert i18n.ngettext("{n} of {path}", "{n} of {path}s", 2, path="/x") == "2 of /xs"


def test_numbers_are_written_the_languages_way_but_not_in_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PERFLAB_LOCALES", str(tmp_path))
    _write_catalog(tmp_path, "ru", {"{t:.2f} s, {n:,} requests, timeout_s={t}, `f({t})`": "{t:.2f} с, запросы: {n:,}, "
                                    "timeout_s={t}, `f({t})`"})
    message = "{t:.2f} s, {n:,} requests, timeout_s={t}, `f({t})`"
    i18n.use_language("en")
    assert i18n._(message, t=0.54, n=4812) == "0.54 s, 4,812 requests, timeout_s=0.54, `f(0.54)`"
    i18n.use_language("ru")  # «4,812» would read as 4.8: a no-break space groups, a comma is the decimal mark
    assert i18n._(message, t=0.54, n=4812) == "0,54\u00a0с, запросы: 4\u00a0812, timeout_s=0.54, `f(0.54)`"
    assert i18n.number(1234.5, ",.1f") == "1\u00a0234,5" and i18n.number(8000) == "8000"
    i18n.use_language("bn")  # Latin digits, as the glossary says
    assert i18n.number(1234.5, ",.1f") == "1,234.5"
