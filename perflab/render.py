"""Render results twice: as plain text for terminals and as HTML for Jupyter."""

from __future__ import annotations

import html
from collections.abc import Sequence

__all__ = ["in_notebook", "table_html", "table_text"]

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
