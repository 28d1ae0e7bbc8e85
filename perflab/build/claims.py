"""``make claims``: run each English notebook several times and print every claim's spread.

A claim that flips on a quiet machine is a false claim: rewrite the prose, or measure better.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from perflab.lab.claims import Claim
from perflab.render import table_text

__all__ = ["CLAIMS_CELL", "claims_printed", "claims_table", "run_claims"]

# Appended to a notebook: prints every claim its cells recorded (see perflab.lab.claims).
CLAIMS_CELL = """
import sys as _sys
print("claims:", _sys.modules["perflab.lab.claims"].recorded_claims_json() if "perflab.lab.claims" in _sys.modules else "[]")
"""


def claims_printed(cell: nbformat.NotebookNode) -> list[Claim]:
    """Return the claims that an executed ``CLAIMS_CELL`` printed.

    Args:
        cell: The executed cell.
    """
    printed = "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")
    return [Claim(**c) for c in json.loads(printed.strip().removeprefix("claims:"))]


def _run_once(path: Path, root: Path, timeout_s: int) -> list[Claim]:
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if c.cell_type == "code"] + [nbformat.v4.new_code_cell(CLAIMS_CELL)]
    NotebookClient(nb, timeout=timeout_s, kernel_name="python3", resources={"metadata": {"path": str(root)}}).execute()
    return claims_printed(nb.cells[-1])


def run_claims(root: Path, runs: int = 5, notebooks: Sequence[Path] = (), timeout_s: int = 180) -> dict[str, list[Claim]]:
    """Run each notebook ``runs`` times in a fresh kernel; return every claim's values, by ``chapter/name``.

    Args:
        root: The course root.
        runs: How many runs of each notebook. Defaults to 5.
        notebooks: Which notebooks. Defaults to every English one.
        timeout_s: The limit for one cell.
    """
    found: dict[str, list[Claim]] = {}
    for path in notebooks or sorted((root / "notebooks" / "en").glob("*.ipynb")):
        for _run in range(runs):
            for made in _run_once(path, root, timeout_s):
                found.setdefault(f"{path.stem}/{made.name}", []).append(made)
    return found


def claims_table(found: dict[str, list[Claim]]) -> str:
    """Return the table ``make claims`` prints: claim, expected, min, median, max, and how often it held.

    Args:
        found: What ``run_claims`` returned.
    """
    rows = []
    for name, made in found.items():
        values = [c.value for c in made]
        held = sum(c.holds for c in made)
        rows.append([name, made[0].expected, f"{min(values):.3g}", f"{statistics.median(values):.3g}",
                     f"{max(values):.3g}", f"{held}/{len(made)}"])
    return table_text(["claim", "expected", "min", "median", "max", "held"], rows)
