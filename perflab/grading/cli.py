"""The instructor's command line: ``perflab grade DIR``.

``add_grade_command(subparsers)`` adds ``grade`` to the ``perflab`` command; ``main`` runs it alone
(``python -m perflab.grading.cli grade DIR``). Each learner is graded by ``perflab.grading.worker``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from perflab.checking.engine import Report
from perflab.errors import PerflabError
from perflab.grading.batch import GradeOptions, grade
from perflab.grading.report import write_outputs
from perflab.grading.worker import DEFAULT_RUNNER, worker
from perflab.i18n import _, current_language, LANGUAGES, ngettext, use_language

__all__ = ["add_grade_command", "main", "run_grade"]

_CONTROL = {code: "?" for code in [*range(32), 127]}  # a folder name must not drive the terminal


def add_grade_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``grade SUBMISSIONS_DIR [--out DIR] [--lang xx] [--jobs N] [--timeout-s S]`` to a command.

    Args:
        subparsers: What ``ArgumentParser.add_subparsers()`` returned.
    """
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "grade", help=_("grade a folder of submissions: grades.csv and a report per learner"))
    parser.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR",
                        help=_("one folder per learner, or <learner>__<id>.py files and notebooks"))
    parser.add_argument("--out", type=Path,
                        help=_("where the grades go. Defaults to a grades folder next to SUBMISSIONS_DIR"))
    # SUPPRESS: without --lang here, the one given before "grade" (perflab --lang ru grade DIR) still counts.
    parser.add_argument("--lang", choices=LANGUAGES, default=argparse.SUPPRESS, help=_("language of the reports"))
    parser.add_argument("--jobs", type=int, default=0, help=_("learners graded at once. Defaults to one per CPU"))
    parser.add_argument("--timeout-s", type=float, default=60.0, help=_("time limit of each exercise, in seconds"))
    parser.add_argument("--memory-mb", type=int, default=2048, help=_("memory limit of each exercise, in MB"))
    parser.add_argument("--course-root", type=Path, help=_("the course with exercises/manifest.toml"))
    parser.add_argument("--runner", default=DEFAULT_RUNNER, help=argparse.SUPPRESS)
    parser.set_defaults(run=run_grade)
    return parser


def _progress(learner: str, report: Report) -> None:
    mark = "✓" if report.passed else "✗"
    print(f"  {mark} {learner.translate(_CONTROL)} / {report.exercise_id} ({report.duration_s:.1f} s)", flush=True)


def run_grade(args: argparse.Namespace) -> int:
    """Grade ``args.submissions``, write the grades and reports, and return the exit status.

    0 when every exercise was graded (whatever the learners' results), 1 when the grader itself
    failed on some, 2 when there is nothing to grade.

    Args:
        args: The parsed ``grade`` arguments.
    """
    if getattr(args, "lang", None):
        use_language(args.lang)
    folder: Path = args.submissions
    if not folder.is_dir():
        print(_("{path} is not a folder.", path=folder), file=sys.stderr)
        return 2
    out: Path = args.out or folder.resolve().parent / "grades"
    options = GradeOptions(root=args.course_root, lang=current_language(), jobs=args.jobs,
                           timeout_s=args.timeout_s, memory_mb=args.memory_mb, runner=args.runner)
    try:
        grading = grade(folder, options, skip=[out], on_report=_progress)
    except PerflabError as exc:
        print(exc, file=sys.stderr)
        return 2
    written = write_outputs(grading, out)
    print(ngettext("Graded {n} learner in {seconds:.1f} s: {csv}, {index}",
                   "Graded {n} learners in {seconds:.1f} s: {csv}, {index}", len(grading.learners),
            seconds=grading.duration_s, csv=written.csv, index=written.index))
    for line in grading.notes:
        print(_("Not graded: {note}", note=line))
    for error in grading.errors:
        print(_("Grader error: {error}", error=error), file=sys.stderr)
    return 1 if grading.errors else 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m perflab.grading.cli grade DIR ...`` (as ``perflab grade``), or the hidden ``worker``.

    Args:
        argv: The arguments. Defaults to ``sys.argv[1:]``.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["worker"]:
        return worker(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m perflab.grading.cli")
    add_grade_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.run
    return handler(args)


if __name__ == "__main__":
    sys.exit(main())
