"""Every generated notebook runs in a real kernel and leaves nothing behind; each chapter runs twice in one kernel.

The code cells are identical in every language, so a chapter's second run in a kernel can be another
language's: English, then Bangla in the same kernel, proves that a re-run works and that the Bangla
runtime messages and plots do; Russian runs once (chapter 00's Bangla and Russian run in JupyterLab
itself, tests/test_browser.py, so its English runs twice).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from perflab.build.claims import CLAIMS_CELL, claims_printed

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*/*.ipynb"))
# The browser test (tests/test_browser.py) runs these in JupyterLab, checks their outputs and their claims.
IN_THE_BROWSER = {ROOT / "notebooks" / lang / "00_start_here.ipynb" for lang in ("bn", "ru")}
# Each entry: the notebooks one kernel runs, one after another.
IN_A_KERNEL = [
    [p, p] if p.stem == "00_start_here" else [p, ROOT / "notebooks" / "bn" / p.name] if p.parent.name == "en" else [p]
    for p in NOTEBOOKS if p not in IN_THE_BROWSER and p.parent.name != "bn"
]
CELL_TIMEOUT_S = 180
# Chapters whose claims compare worker counts: they need the machine's cores free, so `make test` runs
# them alone, after the other notebooks (marker "alone"). ci35 ran chapter 07 beside another notebook:
# two workers then got the cores of one, and three claims about workers and cores failed.
ALONE = {"07_servers_and_workers"}
RUNS = [pytest.param(ps, marks=[pytest.mark.alone] if ps[0].stem in ALONE else [],
                     id="+".join(p.parent.name for p in ps) + f"/{ps[0].stem}") for ps in IN_A_KERNEL]

# Runs in the kernel before and after: what the notebook must not leave behind.
SNAPSHOT = """
import sys as _sys, threading as _threading, traceback as _traceback, psutil as _psutil
def _where(ident):
    frame = _sys._current_frames().get(ident)
    return " <- ".join(f"{f.name}@{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in reversed(_traceback.extract_stack(frame)[-4:])) if frame else ""
def _perflab_snapshot():
    proc = _psutil.Process()
    return {
        # pyzmq starts one GarbageCollectorThread per process for its first large zero-copy send:
        # kernel plumbing, not a thread the course started.
        # A _DummyThread stands for a thread Python did not start (one of zmq's, say) that once
        # called into Python; the entry outlives it, as Python cannot tell when it ends. Without a
        # Python frame it runs no course code: count it only while it has one.
        "threads": {t.ident: f"{t.name}: {_where(t.ident)}" for t in _threading.enumerate()
                    if type(t).__name__ != "GarbageCollectorThread"
                    and (type(t).__name__ != "_DummyThread" or t.ident in _sys._current_frames())},
        "listening": {c.laddr.port for c in proc.net_connections("tcp") if c.status == _psutil.CONN_LISTEN},
        # multiprocessing's resource_tracker: one per process, started by the first spawn-based pool,
        # reused by the next and gone with the kernel; not a process the lesson left behind.
        "children": {c.pid: " ".join(c.cmdline()[:4]) for c in proc.children(recursive=True)
                     if "multiprocessing.resource_tracker" not in " ".join(c.cmdline())},
    }
_perflab_before = _perflab_snapshot()
"""

CHECK = """
import time as _time
for _attempt in range(50):  # servers stop synchronously; give stray threads a moment to exit
    _after = _perflab_snapshot()
    _extra = {
        "threads": {k: v for k, v in _after["threads"].items() if k not in _perflab_before["threads"]},
        "listening": _after["listening"] - _perflab_before["listening"],
        "children": {k: v for k, v in _after["children"].items() if k not in _perflab_before["children"]},
    }
    if not any(_extra.values()):
        break
    _time.sleep(0.1)
assert not any(_extra.values()), f"left behind: {_extra}"
print("clean")
"""



def _with_probes(notebooks: list[nbformat.NotebookNode]) -> nbformat.NotebookNode:
    doubled = nbformat.v4.new_notebook(metadata=notebooks[0].metadata)
    code = [nbformat.from_dict(c) for nb in notebooks for c in nb.cells if c.cell_type == "code"]
    probe, check = nbformat.v4.new_code_cell(SNAPSHOT), nbformat.v4.new_code_cell(CHECK)
    claims = nbformat.v4.new_code_cell(CLAIMS_CELL)
    doubled.cells = [probe] + code + [check, claims]
    for number, cell in enumerate(doubled.cells):
        cell["id"] = f"run-cell-{number}"  # the same cell twice would otherwise duplicate ids
    return doubled


@pytest.mark.slow
@pytest.mark.notebook
@pytest.mark.parametrize("paths", RUNS)
def test_notebook_runs_in_a_kernel_and_leaves_nothing(paths: list[Path],
                                                      record_property: Callable[[str, object], None]) -> None:
    path = paths[0]
    nb = _with_probes([nbformat.read(p, as_version=4) for p in paths])
    client = NotebookClient(nb, timeout=CELL_TIMEOUT_S, kernel_name="python3", resources={"metadata": {"path": str(ROOT)}})
    start = time.perf_counter()
    client.execute()
    print(f"{path.relative_to(ROOT)}: {len(paths)} run(s) in {time.perf_counter() - start:.1f} s")
    assert "clean" in _printed(nb.cells[-2])
    claims = claims_printed(nb.cells[-1])
    languages = "+".join(dict.fromkeys(p.parent.name for p in paths))
    record_property("claims", [f"{languages}/{path.stem}/{c.name}: {c.value:.3g} (expected {c.expected})"
                               + ("" if c.holds else " FAILED") for c in claims])
    assert all(c.holds for c in claims), [c for c in claims if not c.holds]


def _printed(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.get("name") == "stdout")


def test_every_language_has_every_chapter() -> None:
    stems = {lang: {p.stem for p in NOTEBOOKS if p.parent.name == lang} for lang in ("en", "bn", "ru")}
    chapters = {p.stem for p in (ROOT / "chapters").glob("*.md")}
    assert chapters and all(found == chapters for found in stems.values()), stems
