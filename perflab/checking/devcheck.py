"""``perflab dev check``: prove the exercises are whole, and that their checks catch what they should.

Every manifest entry must have its stub, solution, checks and answers, and its title, hints and
check titles translated in every language; no file may sit in ``exercises/``, ``solutions/``,
the checks folders or ``tests/answers/`` without an entry. Then, each in a limited subprocess as a
learner's file would be: every stub fails, every solution passes, every known-wrong answer fails
the check its header names, and every alternative right answer passes.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import polib

from perflab.checking.engine import Report
from perflab.i18n import LANGUAGES, _
from perflab.checking.manifest import Exercise, Manifest, ManifestError, load_checks, load_manifest
from perflab.checking.sandbox import check_in_subprocess

__all__ = ["LOAD_TITLE", "answer_header", "dev_check"]

LOAD_TITLE = "Your code runs from top to bottom"  # the title of _check_runner's load check
_HEADER = re.compile(r"^#\s*expect:\s*(?:(?P<pass>pass)|fail\s+(?P<title>.+?))\s*$")
_KEEP = {"README.md", "manifest.toml", "stubs.lock"}

Runner = Callable[[str, Path], Report]


def answer_header(path: Path) -> tuple[bool, str] | None:
    """Return ``(should_pass, check_title)`` from an answer's first line, or None if it has no header.

    Args:
        path: A ``tests/answers/<id>/*.py`` file.
    """
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    match = _HEADER.match(first.strip())
    if not match:
        return None
    return (True, "") if match.group("pass") else (False, match.group("title"))


def _files(root: Path, folder: str) -> Iterator[Path]:
    base = root / folder
    if base.is_dir():
        yield from (p for p in sorted(base.rglob("*")) if p.is_file() and "__pycache__" not in p.parts)


def _checks_file(exercise: Exercise, root: Path) -> Path:
    return root / (exercise.checks.replace(".", "/") + ".py")


def _presence(manifest: Manifest) -> list[str]:
    root, problems = manifest.root, []
    for e in manifest.exercises:
        wanted = [e.stub, e.solution, e.answers]
        problems += [_("{id}: {path} does not exist.", id=e.id, path=path) for path in wanted if not (root / path).exists()]
        # A chapter may come later than its exercise; once it exists, it must carry the exercise cell.
        chapter = root / "chapters" / f"{e.chapter}.md"
        if chapter.is_file() and f"# exercise: {e.id}" not in chapter.read_text(encoding="utf-8"):
            problems.append(_("{id}: {path} has no `# exercise: {id}` cell.", id=e.id, path=f"chapters/{e.chapter}.md"))
        if e.stub.startswith("exercises/") and e.solution != "solutions/" + e.stub.removeprefix("exercises/"):
            problems.append(_("{id}: the solution should mirror the stub's path.", id=e.id))
        if (root / e.stub).is_file() and "TODO" not in (root / e.stub).read_text(encoding="utf-8"):
            problems.append(_("{id}: the stub has no TODO marker.", id=e.id))
        try:
            load_checks(e, root)
        except Exception as exc:  # a broken checks module is a finding, not a crash of the tool
            error = f"{type(exc).__name__}: {exc}"
            problems.append(_("{id}: the checks cannot be loaded: {error}", id=e.id, error=error))
    return problems


def _strays(manifest: Manifest) -> list[str]:
    root, exercises = manifest.root, manifest.exercises
    owned = {root / e.stub for e in exercises} | {root / e.solution for e in exercises}
    owned |= {_checks_file(e, root) for e in exercises}
    candidates = [p for p in [*_files(root, "exercises"), *_files(root, "solutions")] if p.name not in _KEEP]
    for folder in {_checks_file(e, root).parent for e in exercises} | {root / "perflab" / "checking" / "checks"}:
        # "_name.py" modules hold what several exercises' checks share; they belong to none.
        candidates += [p for p in sorted(folder.glob("*.py")) if not p.name.startswith("_")]
    problems = [_("{path}: no exercise in the manifest uses this file.", path=p.relative_to(root))
                for p in candidates if p not in owned and p.suffix != ".pyc"]
    answer_dirs = {root / e.answers for e in exercises}
    for path in _files(root, "tests/answers"):
        if path.parent not in answer_dirs:
            problems.append(_("{path}: no exercise in the manifest uses this file.", path=path.relative_to(root)))
        elif not re.match(r"^(wrong|right)_\w+\.py$", path.name) and path.suffix != ".pyc":
            problems.append(_("{path}: an answer is named wrong_<mistake>.py or right_<variant>.py.",
                              path=path.relative_to(root)))
    return problems


def _translated(root: Path, lang: str) -> set[str]:
    path = root / "locales" / lang / "LC_MESSAGES" / "perflab.po"
    if not path.exists():
        return set()
    return {e.msgid for e in polib.pofile(str(path)) if e.msgstr and not e.fuzzy and not e.obsolete}


def _translations(manifest: Manifest) -> list[str]:
    problems = []
    for lang in (lang for lang in LANGUAGES if lang != "en"):
        done = _translated(manifest.root, lang)
        for e in manifest.exercises:
            try:
                titles = [c.title for c in load_checks(e, manifest.root)]
            except Exception:  # already reported by _presence
                titles = []
            missing = [text for text in [e.title, *e.hints, *titles] if text not in done]
            problems += [_("{id}: not translated into {lang}: {text}", id=e.id, lang=lang, text=text)
                         for text in missing]
    return problems


def _failing(report: Report) -> list[str]:
    return [f"✗ {o.name}: {o.message}" for o in report.outcomes if not o.passed]


def _answer_problem(e: Exercise, path: Path, report: Report, titles: list[str]) -> str | None:
    header = answer_header(path)
    where = f"{e.answers}/{path.name}"
    if header is None or header[0] != path.name.startswith("right_"):
        return _("{path}: the first line must be '# expect: pass' (right_) or '# expect: fail <check title>' (wrong_).",
                 path=where)
    should_pass, title = header
    if should_pass:
        failing = "; ".join(_failing(report))
        return None if report.passed else _("{path}: should pass, but: {failing}", path=where, failing=failing)
    if title not in titles:
        return _("{path}: names a check that does not exist: {title}", path=where, title=title)
    failed = {o.name for o in report.outcomes if not o.passed}
    if title in failed:
        return None
    return _("{path}: should fail the check '{title}', but it passed.", path=where, title=title)


def _verdicts(manifest: Manifest, run: Runner, answers: bool) -> list[str]:
    # Each run is a child process: run them two at a time (or one per CPU), in manifest order.
    with concurrent.futures.ThreadPoolExecutor(max(2, len(os.sched_getaffinity(0)))) as pool:
        found = pool.map(lambda e: _exercise_verdicts(manifest, e, run, answers), manifest.exercises)
        return [problem for problems in found for problem in problems]


def _exercise_verdicts(manifest: Manifest, e: Exercise, run: Runner, answers: bool) -> list[str]:
    root, problems = manifest.root, []
    try:
        titles = [LOAD_TITLE, *[c.title for c in load_checks(e, root)]]
    except Exception:  # already reported by _presence
        return []
    stub = run(e.id, root / e.stub)
    if stub.passed:
        problems.append(_("{id}: the stub passes its checks; it must fail until it is solved.", id=e.id))
    elif any(o.name == LOAD_TITLE and not o.passed for o in stub.outcomes):
        problems.append(_("{id}: the stub must run without errors.", id=e.id))
    solution = run(e.id, root / e.solution)
    if not solution.passed:
        problems.append(_("{id}: the solution fails: {failing}", id=e.id, failing="; ".join(_failing(solution))))
    files = sorted((root / e.answers).glob("*.py"))
    if not any(p.name.startswith("wrong_") for p in files):
        problems.append(_("{id}: {path} has no known-wrong answer.", id=e.id, path=e.answers))
    for path in files if answers else []:
        problem = _answer_problem(e, path, run(e.id, path), titles)
        problems += [problem] if problem else []
    return problems


def dev_check(root: Path, *, run: Runner | None = None, answers: bool = True) -> list[str]:
    """Return every problem with the exercises under ``root``; an empty list means the course is whole.

    Reports are in English, so answer headers can name checks by their English titles.

    Args:
        root: The course root with ``exercises/manifest.toml``.
        run: Checks one file as one exercise. Defaults to ``check_in_subprocess`` in English.
        answers: Whether to check every known answer too, not only the stubs and solutions. Defaults to True.
    """
    try:
        manifest = load_manifest(root)
    except ManifestError as exc:
        return [str(exc)]
    run = run or (lambda exercise_id, path: check_in_subprocess(exercise_id, path, lang="en", root=manifest.root))
    static = _presence(manifest) + _strays(manifest) + _translations(manifest)
    return static + _verdicts(manifest, run, answers)
