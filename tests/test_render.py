from __future__ import annotations

from perflab.i18n import use_language
from perflab.render import in_notebook, table, table_html, table_text


def test_text_table_aligns_columns() -> None:
    assert table_text(["a", "long"], [[1, 2], [333, 4]]).splitlines() == ["a    long", "---  ----", "1    2", "333  4"]


def test_html_table_escapes_cells() -> None:
    html = table_html(["x"], [["<b>"]], title="t")
    assert "&lt;b&gt;" in html and "<caption>t</caption>" in html


def test_not_in_a_notebook_under_pytest() -> None:
    assert in_notebook() is False


def test_table_has_a_row_per_key_and_a_column_per_field() -> None:
    shown = table({"/list": {"ms": 31.5, "mb": 40}, "/jsonl": {"mb": 2}}, first="path", title="exports")
    assert shown.headers == ("path", "ms", "mb")
    assert shown.rows == (("/list", "31.5", 40), ("/jsonl", "", 2))
    assert "<caption>exports</caption>" in shown._repr_html_() and str(shown).startswith("exports\n")


def test_table_writes_numbers_the_language_way_and_leaves_other_text_alone() -> None:
    use_language("ru")
    assert table({"a": {"s": 0.45, "ratio": "2.25×", "path": "/x.y"}}).rows == (("a", "0,45", "2,25×", "/x.y"),)
