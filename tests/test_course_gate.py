"""The strict gate on the real course: every catalog complete and current, every notebook fresh."""

from __future__ import annotations

from pathlib import Path

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
