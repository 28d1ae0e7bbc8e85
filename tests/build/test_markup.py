from __future__ import annotations

from perflab.build.markup import compare_markup, markup, short


def test_markup_finds_code_links_anchors_and_tags() -> None:
    found = markup("## Title {#anchor}\n\nRun `serve(app)`, see [docs](https://example.org), press <kbd>I</kbd>.")
    assert found["code span"] == ["serve(app)"]
    assert found["link target"] == ["https://example.org"]
    assert found["heading anchor"] == ["anchor"]
    assert "<kbd>" in found["HTML tag"]


def test_a_faithful_translation_loses_nothing() -> None:
    assert compare_markup("Use `load()` on {url}", "Используйте `load()` на {url}", brace_format=True) == []


def test_a_lost_code_span_and_placeholder_are_named() -> None:
    said = compare_markup("Use `load()` on {url}", "Используйте load() на адресе", brace_format=True)
    assert any("code span" in s for s in said) and any("placeholder" in s for s in said)


def test_short_quotes_and_cuts() -> None:
    assert short("a  b\nc") == "'a b c'" and len(short("x" * 100, width=10)) == 12
