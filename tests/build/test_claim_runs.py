"""``make claims`` runs a notebook in a fresh kernel several times and tabulates each claim's spread."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from perflab.build.claims import claims_table, run_claims
from perflab.lab.claims import Claim


def test_the_table_shows_the_spread_and_how_often_a_claim_held() -> None:
    found = {"00/ratio": [Claim("ratio", v, 1.0) for v in (0.9, 2.0, 3.0)]}
    table = claims_table(found)
    assert "00/ratio" in table and "> 1" in table and "0.9" in table and "2/3" in table


@pytest.mark.slow
def test_each_run_is_a_fresh_kernel(tmp_path: Path, repo_root: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(
        "import builtins\nbuiltins.runs = getattr(builtins, 'runs', 0) + 1\n"
        "from perflab import claim\nclaim('runs-in-this-kernel', builtins.runs, below=1.5)")]
    path = tmp_path / "demo.ipynb"
    nbformat.write(nb, path)
    found = run_claims(repo_root, runs=2, notebooks=[path])
    assert [c.value for c in found["demo/runs-in-this-kernel"]] == [1.0, 1.0]
