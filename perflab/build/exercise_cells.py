"""The notebook build's exercise cells: ``# exercise: <id>`` in a chapter becomes that line plus the stub.

The stub file stays the one source of the exercise code; a chapter only names it, so the notebook
cell, ``perflab check`` and ``perflab reset`` all start from the same text.
"""

from __future__ import annotations

import re
from pathlib import Path

from perflab.checking.manifest import Manifest, load_manifest

__all__ = ["expand_exercise_cells"]

_CELL = re.compile(r"^#\s*exercise:\s*(\S+)\s*$")
# A MyST code cell whose body (after its :option: lines and a blank line) is only the marker.
_MYST = re.compile(
    r"^(?P<head>```\{code-cell\}[^\n]*\n(?::[^\n]*\n)*\n?)(?P<mark>#[ \t]*exercise:[ \t]*(?P<id>\S+)[ \t]*)\n```",
    re.MULTILINE,
)


def _cell(exercise_id: str, manifest: Manifest) -> str:
    stub = (manifest.root / manifest[exercise_id].stub).read_text(encoding="utf-8")
    return f"# exercise: {exercise_id}\n" + stub.rstrip("\n")


def expand_exercise_cells(source: str, root: Path) -> str:
    """Return ``source`` with each ``# exercise: <id>`` code cell followed by the stub's content.

    ``source`` is one code cell's source (then it must be exactly the marker line), or a whole
    MyST chapter, where every ``{code-cell}`` whose body is only the marker is expanded.
    Anything else comes back unchanged. An unknown id raises ``UnknownExercise``.

    Args:
        source: A code cell's source or a chapter's text.
        root: The course root with ``exercises/manifest.toml``.
    """
    single = _CELL.match(source.strip())
    if single and "\n" not in source.strip():
        return _cell(single.group(1), load_manifest(root))
    if not _MYST.search(source):
        return source
    manifest = load_manifest(root)
    return _MYST.sub(lambda m: m.group("head") + _cell(m.group("id"), manifest) + "\n```", source)
