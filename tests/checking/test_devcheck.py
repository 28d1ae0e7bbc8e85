from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from fixtures.exercise_course import copy_course

from perflab.checking._runner import check_file
from perflab.checking.engine import Report
from perflab.checking.devcheck import answer_header, dev_check
from perflab.checking.manifest import load_checks, load_manifest


def _in_process(root: Path) -> Callable[[str, Path], Report]:
    """A quick runner for well-behaved files: the check process's own logic, without the process."""
    manifest = load_manifest(root)

    def run(exercise_id: str, path: Path) -> Report:
        exercise = manifest[exercise_id]
        return check_file(exercise, path, load_checks(exercise, root))

    return run


def _problems(root: Path) -> list[str]:
    return dev_check(root, run=_in_process(root))


@pytest.fixture
def course(tmp_path: Path) -> Path:
    return copy_course(tmp_path)


def test_the_fixture_course_is_whole_in_subprocesses(course: Path) -> None:
    assert dev_check(course) == []


def test_stray_files_are_found(course: Path) -> None:
    (course / "exercises" / "01_demo" / "old.py").write_text("", encoding="utf-8")
    (course / "solutions" / "notes.txt").write_text("", encoding="utf-8")
    (course / "fixture_checks" / "unused.py").write_text("", encoding="utf-8")
    (course / "tests" / "answers" / "gone").mkdir()
    (course / "tests" / "answers" / "gone" / "wrong_x.py").write_text("# expect: pass\n", encoding="utf-8")
    (course / "tests" / "answers" / "double" / "maybe.py").write_text("# expect: pass\n", encoding="utf-8")
    text = "\n".join(_problems(course))
    for stray in ["old.py", "notes.txt", "unused.py", "gone/wrong_x.py"]:
        assert f"{stray}: no exercise in the manifest uses this file" in text
    assert "maybe.py: an answer is named" in text


def test_missing_files_are_found(course: Path) -> None:
    (course / "solutions" / "01_demo" / "shout.py").unlink()
    shutil.rmtree(course / "tests" / "answers" / "shout")
    text = "\n".join(_problems(course))
    assert "shout: solutions/01_demo/shout.py does not exist" in text
    assert "shout: tests/answers/shout does not exist" in text


def test_a_stub_that_passes_or_does_not_run_is_a_problem(course: Path) -> None:
    shutil.copy(course / "solutions" / "01_demo" / "shout.py", course / "exercises" / "01_demo" / "shout.py")
    (course / "exercises" / "01_demo" / "double.py").write_text("# TODO\nraise ValueError\n", encoding="utf-8")
    text = "\n".join(_problems(course))
    assert "shout: the stub passes its checks" in text and "shout: the stub has no TODO marker" in text
    assert "double: the stub must run without errors" in text


def test_a_failing_solution_is_a_problem(course: Path) -> None:
    (course / "solutions" / "01_demo" / "double.py").write_text("async def double(x):\n    return x\n", encoding="utf-8")
    assert any(p.startswith("double: the solution fails: ✗ `double` doubles numbers") for p in _problems(course))


def test_answers_must_behave_as_their_header_says(course: Path) -> None:
    answers = course / "tests" / "answers" / "double"
    (answers / "wrong_passes.py").write_text("# expect: fail `double` doubles numbers\nasync def double(x):\n    return 2 * x\n")
    (answers / "wrong_other.py").write_text("# expect: fail `double` is an async function\nasync def double(x):\n    return 0\n")
    (answers / "wrong_unknown.py").write_text("# expect: fail no such check\nx = 1\n")
    (answers / "right_fails.py").write_text("# expect: pass\nasync def double(x):\n    return 0\n")
    (answers / "right_no_header.py").write_text("async def double(x):\n    return 2 * x\n")
    text = "\n".join(_problems(course))
    assert "wrong_passes.py: should fail the check '`double` doubles numbers', but it passed" in text
    assert "wrong_other.py: should fail the check '`double` is an async function', but it passed" in text
    assert "wrong_unknown.py: names a check that does not exist: no such check" in text
    assert "right_fails.py: should pass, but: ✗ `double` doubles numbers" in text
    assert "right_no_header.py: the first line must be" in text


def test_an_exercise_needs_a_known_wrong_answer(course: Path) -> None:
    (course / "tests" / "answers" / "shout" / "wrong_no_bang.py").unlink()
    assert "shout: tests/answers/shout has no known-wrong answer." in _problems(course)


def test_missing_translations_are_named(course: Path) -> None:
    path = course / "locales" / "ru" / "LC_MESSAGES" / "perflab.po"
    catalog = polib.pofile(str(path))
    catalog.find("`shout` shouts").msgstr = ""
    catalog.find("Shout a text").flags.append("fuzzy")
    catalog.save(str(path))
    problems = _problems(course)
    assert "shout: not translated into ru: `shout` shouts" in problems
    assert "shout: not translated into ru: Shout a text" in problems
    assert not [p for p in problems if "into bn" in p]


def test_a_broken_manifest_is_the_one_problem(course: Path) -> None:
    (course / "exercises" / "manifest.toml").write_text("[[exercise]]\nid = 1\n", encoding="utf-8")
    problems = dev_check(course)
    assert len(problems) == 1 and "manifest.toml" in problems[0]


def test_answer_headers() -> None:
    here = Path(__file__).resolve().parents[1] / "fixtures" / "exercises" / "tests" / "answers" / "double"
    assert answer_header(here / "right_adds_itself.py") == (True, "")
    assert answer_header(here / "wrong_adds_two.py") == (False, "`double` doubles numbers")


@pytest.mark.slow
def test_the_course_exercises_are_whole(repo_root: Path) -> None:
    if not (repo_root / "exercises" / "manifest.toml").exists():
        pytest.skip("the course has no exercises/manifest.toml yet")
    # Every known answer's verdict is proven by tests/checking/checks/test_<id>.py, in-process and
    # faster; here the stubs and solutions run as `perflab dev check` runs them, in a child process.
    assert dev_check(repo_root, answers=False) == []


def test_a_chapter_without_its_exercise_cell_is_reported(course: Path) -> None:
    chapter = course / "chapters" / "01_demo.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace("# exercise: shout", "# (removed)"), encoding="utf-8")
    assert any("has no `# exercise: shout` cell" in p for p in _problems(course))


def test_an_exercise_may_come_before_its_chapter(course: Path) -> None:
    (course / "chapters" / "01_demo.md").unlink()
    assert not any("chapters/" in p for p in _problems(course))
