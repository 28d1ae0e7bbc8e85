"""The shape of ``perflab``: wings whose imports run one way, no import circle, and small modules."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "perflab"
# Lower ranks sit lower: a module may import its own wing and any wing ranked below it, never above.
RANKS = {"build": 7, "grading": 6, "checking": 5, "lab": 4, "plots": 3, "load": 2, "serving": 1, "": 0}
ENTRY_POINTS = {"perflab", "perflab.__main__", "perflab.cli", "perflab.envcheck"}  # nothing imports these
MAX_LINES = 330
MAX_TOP_LEVEL = 9  # __init__, __main__, cli, envcheck, i18n, errors, paths, render, progress


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imported(name: str, path: Path, known: set[str]) -> set[str]:
    """Return the perflab modules that ``path`` imports anywhere in it, inside functions too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("perflab") and not node.level:
            for alias in node.names:
                found.add(f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in known else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("perflab")}
    return (found & known) - {name}


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imported(name, path, set(modules)) for name, path in modules.items()}


def _wing(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in RANKS) else ""


def test_the_top_level_holds_few_modules() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL, top


def test_no_module_is_over_the_size_guideline() -> None:
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_imports_run_one_way() -> None:
    upward = [f"{a} imports {b}" for a, deps in _graph().items() if a not in ENTRY_POINTS for b in deps
              if b in ENTRY_POINTS or RANKS[_wing(b)] > RANKS[_wing(a)]]
    assert upward == []


def test_no_file_imports_a_file_that_imports_it_back() -> None:
    graph, circles = _graph(), []

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            node = todo.pop()
            if node == goal:
                return True
            if node not in seen:
                seen.add(node)
                todo += graph.get(node, set())
        return False

    circles = sorted(f"{a} <-> {b}" for a, deps in graph.items() for b in deps if reaches(b, a))
    assert circles == []


def test_the_import_rules_catch_a_circle_and_an_upward_import(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The rules above must be able to fail: a package with both faults trips both.
    fake = tmp_path / "perflab"
    (fake / "serving").mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake / "serving" / "__init__.py").write_text("")
    (fake / "serving" / "a.py").write_text("def f():\n    from perflab.serving import b\n")
    (fake / "serving" / "b.py").write_text("from perflab.serving import a\nfrom perflab.build import c\n")
    (fake / "build").mkdir()
    (fake / "build" / "__init__.py").write_text("")
    (fake / "build" / "c.py").write_text("")
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", fake)
    with pytest.raises(AssertionError, match="perflab.serving.b imports perflab.build.c"):
        test_imports_run_one_way()
    with pytest.raises(AssertionError, match="perflab.serving.a <-> perflab.serving.b"):
        test_no_file_imports_a_file_that_imports_it_back()


def test_the_lesson_runtime_loads_neither_the_build_nor_grading() -> None:
    code = ("import perflab, sys\n"
            "for name in perflab.__all__: getattr(perflab, name)\n"
            "print(sorted(m for m in sys.modules if m.startswith(('perflab.build', 'perflab.grading'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "[]"
