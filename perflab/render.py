"""Render results twice: as plain text for terminals and as HTML for Jupyter."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from perflab.i18n import localized, number

__all__ = ["Table", "in_notebook", "table", "table_html", "table_text"]

Row = Sequence[object]


def in_notebook() -> bool:
    """Return True when running inside a Jupyter kernel that can show widgets and HTML."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def table_text(headers: Row, rows: Sequence[Row], title: str = "") -> str:
    """Return an aligned plain-text table.

    Args:
        headers: Column titles.
        rows: Cells, one sequence a row; each cell is shown with ``str()``.
        title: A line above the table. Defaults to none.
    """
    cells = [[str(c) for c in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(([title] if title else []) + lines)


def table_html(headers: Row, rows: Sequence[Row], title: str = "") -> str:
    """Return an HTML table with escaped cells.

    Args:
        headers: Column titles.
        rows: Cells, one sequence a row; each cell is shown with ``str()``.
        title: A caption. Defaults to none.
    """
    esc = lambda c: html.escape(str(c))  # noqa: E731
    pad = ' style="padding:2px 8px"'  # JupyterLab's table style does not reach a widget: space the columns here
    head = "".join(f"<th{pad}>{esc(c)}</th>" for c in headers)
    body = "".join("<tr>" + "".join(f"<td{pad}>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
    caption = f"<caption>{esc(title)}</caption>" if title else ""
    # No maths typesetting in JupyterLab: a value with "$" in it shows as it is.
    return (f'<table class="perflab tex2jax_ignore mathjax_ignore">{caption}<thead><tr>{head}</tr></thead>'
            f'<tbody>{body}</tbody></table>')


@dataclass(frozen=True)
class Table:
    """A table: HTML in Jupyter, aligned text everywhere else."""

    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    title: str = ""

    def _repr_html_(self) -> str:
        return table_html(self.headers, self.rows, self.title)

    def __str__(self) -> str:
        return table_text(self.headers, self.rows, self.title)

    __repr__ = __str__


def table(rows: Mapping[object, Mapping[str, object]], *, first: str = "", title: str = "") -> Table:
    """Return a mapping of rows as a table: one row per key, one column per key of the rows.

    Usage:
        table({"/list": {"first_byte_ms": 31.5, "peak_mb": 40.2}, "/jsonl": {...}})

    Args:
        rows: Each row's name, mapped to its cells by column.
        first: The title of the first column, which holds the rows' names. Defaults to none.
        title: A caption. Defaults to none.
    """
    columns = list(dict.fromkeys(column for row in rows.values() for column in row))
    cells = tuple((name, *(_shown(row.get(c, "")) for c in columns)) for name, row in rows.items())
    return Table((first, *columns), cells, title)


_NUMBER_TEXT = re.compile(r"[\d,]+(\.\d+)?×?")  # "2.25×", "4,812": numbers a cell formatted itself


def _shown(value: object) -> object:
    """Return a cell with its number in the current language's marks: «0,5» and «2,25×» in Russian.

    Args:
        value: A cell.
    """
    if isinstance(value, float):
        return number(value)
    if isinstance(value, str) and _NUMBER_TEXT.fullmatch(value):
        return localized(value)
    return value
