from __future__ import annotations

from perflab.render import in_notebook, table_html, table_text


def test_text_table_aligns_columns() -> None:
    assert table_text(["a", "long"], [[1, 2], [333, 4]]).splitlines() == ["a    long", "---  ----", "1    2", "333  4"]


def test_html_table_escapes_cells() -> None:
    html = table_html(["x"], [["<b>"]], title="t")
    assert "&lt;b&gt;" in html and "<caption>t</caption>" in html


def test_not_in_a_notebook_under_pytest() -> None:
    assert in_notebook() is False
