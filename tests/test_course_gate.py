"""The strict gate on the real course: every catalog complete and current, every notebook fresh."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest

from perflab.build.gate import run_gate


def test_course_passes_the_translation_and_notebook_gate(repo_root: Path) -> None:
    problems = [str(p) for p in run_gate(repo_root)]
    assert problems == [], "\n".join(problems)


def test_every_exercise_shows_its_whole_task_in_a_cell_before_its_code(repo_root: Path) -> None:
    # The task lives in the manifest and is translated; a learner never needs the English stub docstring.
    from perflab.checking.manifest import load_manifest

    for exercise in load_manifest(repo_root).exercises:
        chapter = (repo_root / "chapters" / f"{exercise.chapter}.md").read_text(encoding="utf-8")
        shown, code = chapter.find(f'task("{exercise.id}")'), chapter.find(f"# exercise: {exercise.id}\n")
        assert 0 <= shown < code, exercise.id


def _catalog(root: Path, lang: str, domain: str) -> polib.POFile:
    return polib.pofile(str(root / "locales" / lang / "LC_MESSAGES" / f"{domain}.po"))


@pytest.mark.parametrize("lang", ["en", "bn", "ru"])
def test_every_exercise_title_is_its_lesson_heading_in_every_language(repo_root: Path, lang: str) -> None:
    # `perflab progress` and the check report show the manifest's title; the lesson shows its heading.
    from perflab.checking.manifest import load_manifest

    runtime = {} if lang == "en" else {e.msgid: e.msgstr for e in _catalog(repo_root, lang, "perflab")}
    for exercise in load_manifest(repo_root).exercises:
        chapter = (repo_root / "chapters" / f"{exercise.chapter}.md").read_text(encoding="utf-8")
        assert f"### {exercise.title} {{#" in chapter, exercise.id
        if lang != "en":
            [cell] = [e.msgstr for e in _catalog(repo_root, lang, exercise.chapter)
                      if f"### {exercise.title} {{#" in e.msgid]
            heading = next(line[4:].rsplit(" {#", 1)[0] for line in cell.splitlines() if line.startswith("### "))
            assert runtime[exercise.title] == heading, exercise.id


def _bound_names(source: str) -> dict[str, bool]:
    """Return the names ``source`` binds at its top level, each with whether only an import binds it."""
    import ast

    found: dict[str, bool] = {}
    for node in ast.parse(source).body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                found.setdefault((alias.asname or alias.name).split(".")[0], True)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[node.name] = False
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                found.update({n.id: False for n in ast.walk(target) if isinstance(n, ast.Name)})
    return found


def test_no_exercise_cell_rebinds_a_name_its_chapter_defined(repo_root: Path) -> None:
    # Re-running a lesson cell after the exercise cell must give the lesson's result: the exercise's
    # classes, functions and variables have names of their own (the same import in both is harmless).
    from perflab.build.notebooks import read_chapter
    from perflab.checking.manifest import load_manifest

    for exercise in load_manifest(repo_root).exercises:
        lesson: dict[str, bool] = {}
        for cell in read_chapter(repo_root / "chapters" / f"{exercise.chapter}.md").cells:
            if cell.cell_type == "code":
                if f"# exercise: {exercise.id}" in cell.source:
                    break
                source = "\n".join(line for line in cell.source.splitlines() if not line.startswith(("%", "!")))
                for name, imported in _bound_names(source).items():
                    lesson[name] = lesson.get(name, True) and imported
        stub = _bound_names((repo_root / exercise.stub).read_text(encoding="utf-8"))
        clashes = sorted(n for n, imported in stub.items() if n in lesson and not (imported and lesson[n]))
        assert clashes == [], f"{exercise.id}: {clashes}"
