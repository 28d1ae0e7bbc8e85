"""Notebooks that open clean in JupyterLab: their ``language_info`` names the kernel's own Python version.

When a kernel starts, JupyterLab writes the kernel's ``language_info`` into the notebook, and marks the
notebook changed if that differs from what the file holds. Its ``version`` is the one field a notebook
built elsewhere cannot know, so ``make lab`` stamps it for the Python that runs the course, and the gate
ignores it.
"""

from __future__ import annotations

import platform
from pathlib import Path

import nbformat

from perflab.build.notebooks import write_if_changed

__all__ = ["stamp_notebooks", "with_python_version"]


def with_python_version(text: str, version: str | None) -> str:
    """Return notebook ``text`` with ``language_info.version`` set to ``version``, or removed for None.

    Args:
        text: A notebook, as the build writes it (sorted keys, indent 1, a final newline).
        version: A Python version such as "3.11.7", or None.
    """
    notebook = nbformat.reads(text, as_version=4)
    info = notebook.metadata.get("language_info")
    if info is None or info.get("version") == version:
        return text
    if version is None:
        info.pop("version", None)
    else:
        info["version"] = version
    written: str = nbformat.writes(notebook, version=4)
    return written if written.endswith("\n") else written + "\n"


def stamp_notebooks(folder: Path, version: str | None = None) -> list[Path]:
    """Stamp every notebook under ``folder`` with this Python's version; return the ones changed.

    Only that one metadata field changes: a learner's cells and outputs stay as they are.

    Args:
        folder: Where the notebooks are (searched recursively; checkpoints are skipped).
        version: The version to write. Defaults to this interpreter's, as its kernel reports it.
    """
    version = version or platform.python_version()
    changed = []
    for path in sorted(folder.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if write_if_changed(path, with_python_version(text, version)):
            changed.append(path)
    return changed


if __name__ == "__main__":  # make lab: python -m perflab.build.python_stamp notebooks
    import sys

    stamp_notebooks(Path(sys.argv[1]))
