"""The strict gate on the real course: every catalog complete and current, every notebook fresh."""

from __future__ import annotations

from pathlib import Path

from perflab.build.gate import run_gate


def test_course_passes_the_translation_and_notebook_gate(repo_root: Path) -> None:
    problems = [str(p) for p in run_gate(repo_root)]
    assert problems == [], "\n".join(problems)
