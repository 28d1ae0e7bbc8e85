"""make lab stamps the kernel's Python version into the notebooks; the gate does not count it as stale."""

from __future__ import annotations

import shutil
from pathlib import Path

from perflab.build.gate import check_notebooks
from perflab.build.python_stamp import stamp_notebooks, with_python_version


def test_stamping_changes_only_the_version_and_the_gate_ignores_it(repo_root: Path, tmp_path: Path) -> None:
    for part in ("chapters", "locales", "notebooks", "exercises"):
        shutil.copytree(repo_root / part, tmp_path / part)
    notebook = tmp_path / "notebooks" / "ru" / "00_start_here.ipynb"
    before = notebook.read_text(encoding="utf-8")
    assert tmp_path / "notebooks" / "ru" / "00_start_here.ipynb" in stamp_notebooks(tmp_path / "notebooks", "3.99.1")
    after = notebook.read_text(encoding="utf-8")
    assert '"version": "3.99.1"' in after and with_python_version(after, None) == before
    assert stamp_notebooks(tmp_path / "notebooks", "3.99.1") == []  # a second run writes nothing
    assert [str(p) for p in check_notebooks(tmp_path) if "stale" in str(p)] == []
    notebook.write_text(after.replace("perflab", "perflap", 1), encoding="utf-8")  # any other change is stale
    assert [str(p) for p in check_notebooks(tmp_path) if "stale" in str(p)] != []
