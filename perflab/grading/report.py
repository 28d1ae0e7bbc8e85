"""A graded folder's results, written as ``grades.csv``, an HTML report per learner and ``index.html``.

Points are all or nothing: an exercise earns its manifest points when every check passed, else 0
(also when it was not submitted). Every text from a submission is escaped, so a learner's name,
file name or printed output cannot inject markup into the instructor's browser or spreadsheet.
"""

from __future__ import annotations

import csv
import html
import re
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from perflab.checking.engine import Outcome, Report
from perflab.i18n import _, current_language, ngettext
from perflab.checking.manifest import Exercise
from perflab.grading.netns import Isolation

__all__ = ["Grading", "LearnerResult", "Written", "index_html", "learner_html", "write_grades_csv", "write_outputs"]

_CSS = (
    "body{font-family:system-ui,'Noto Sans Bengali','Noto Sans',sans-serif;max-width:60rem;margin:2rem auto;"
    "padding:0 1rem;line-height:1.4}table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;"
    "padding:.3rem .6rem;text-align:left;vertical-align:top}.ok{color:#1a7f37}.bad{color:#cf222e}"
    "pre{white-space:pre-wrap;margin:.2rem 0;background:#f6f8fa;padding:.2rem .4rem}.note{color:#555}"
)


@dataclass
class LearnerResult:
    """One learner: the report and origin of each exercise found, and notes about their files."""

    learner: str
    reports: dict[str, Report] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def points(self, exercise: Exercise) -> int:
        """Return the exercise's points if every check passed, else 0.

        Args:
            exercise: The manifest entry.
        """
        report = self.reports.get(exercise.id)
        return exercise.points if report is not None and report.passed else 0

    def total(self, exercises: Sequence[Exercise]) -> int:
        """Return the points earned over ``exercises``.

        Args:
            exercises: The manifest's exercises.
        """
        return sum(self.points(e) for e in exercises)


@dataclass
class Grading:
    """A graded folder: every learner, the exercises, notes about the folder and how it was contained."""

    exercises: tuple[Exercise, ...]
    learners: list[LearnerResult]
    notes: list[str]
    isolation: Isolation
    duration_s: float = 0.0
    errors: list[str] = field(default_factory=list)  # the grader's own failures, not the learners'

    @property
    def max_points(self) -> int:
        """The points of every exercise together."""
        return sum(e.points for e in self.exercises)


def _csv_text(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet; a learner's name must stay text.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def write_grades_csv(grading: Grading, path: Path) -> Path:
    """Write one row per learner: ``learner``, the points of each exercise, ``total`` and ``max``.

    Args:
        grading: The results.
        path: The CSV file to write.
    """
    exercises = grading.exercises
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["learner", *[e.id for e in exercises], "total", "max"])
        for result in grading.learners:
            points = [result.points(e) for e in exercises]
            writer.writerow([_csv_text(result.learner), *points, result.total(exercises), grading.max_points])
    return path


def _slugs(learners: Sequence[LearnerResult]) -> dict[str, str]:
    """Give each learner a distinct, safe file name."""
    slugs: dict[str, str] = {}
    for result in learners:
        base = re.sub(r"[^\w-]+", "_", result.learner).strip("_")[:60] or "learner"
        slug, n = base, 1
        while slug.lower() in {s.lower() for s in slugs.values()}:
            n += 1
            slug = f"{base}-{n}"
        slugs[result.learner] = slug
    return slugs


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _page(title: str, body: str) -> str:
    head = f'<meta charset="utf-8"><title>{_e(title)}</title><style>{_CSS}</style>'
    return f'<!DOCTYPE html>\n<html lang="{_e(current_language())}"><head>{head}</head><body>{body}</body></html>\n'


def _outcome_row(outcome: Outcome) -> str:
    mark = '<span class="ok">✓</span>' if outcome.passed else '<span class="bad">✗</span>'
    details = [f"<div>{_e(outcome.message)}</div>"] if outcome.message else []
    for label, value in ((_("input"), outcome.input), (_("expected"), outcome.expected), (_("actual"), outcome.actual)):
        if value:
            details.append(f"<div>{_e(label)}:<pre>{_e(value)}</pre></div>")
    return f"<tr><td>{mark}</td><td><b>{_e(outcome.name)}</b>{''.join(details)}</td></tr>"


def _exercise_section(exercise: Exercise, result: LearnerResult) -> str:
    report = result.reports.get(exercise.id)
    head = f"<h2>{_e(exercise.id)}: {_e(_(exercise.title))}</h2>"
    score = ngettext("{points} of {n} point", "{points} of {n} points", exercise.points, points=result.points(exercise))
    if report is None:
        missing = _("Not submitted.")
        return f"{head}<p>{_e(score)}. {_e(missing)}</p>"
    origin = _("from {origin}, checked in {seconds:.1f} s", origin=result.origins.get(exercise.id, "?"),
               seconds=report.duration_s)
    rows = "".join(_outcome_row(o) for o in report.outcomes)
    return f"{head}<p>{_e(score)}, {_e(origin)}</p><table>{rows}</table>"


def learner_html(grading: Grading, result: LearnerResult) -> str:
    """Return one learner's report: each exercise, and each check with its message and values.

    Args:
        grading: The results, for the exercises.
        result: The learner's results.
    """
    total = ngettext("{points} of {n} point", "{points} of {n} points", grading.max_points,
                     points=result.total(grading.exercises))
    back = _("All learners")
    body = [f'<p><a href="../index.html">{_e(back)}</a></p><h1>{_e(result.learner)}</h1><p><b>{_e(total)}</b></p>']
    body += [_exercise_section(e, result) for e in grading.exercises]
    if result.notes:
        items = "".join(f"<li>{_e(note)}</li>" for note in result.notes)
        title = _("Files not graded")
        body.append(f'<h2>{_e(title)}</h2><ul class="note">{items}</ul>')
    return _page(result.learner, "".join(body))


def index_html(grading: Grading, slugs: dict[str, str]) -> str:
    """Return the class overview: every learner's points, linked to their report.

    Args:
        grading: The results.
        slugs: Each learner's report file name, without ``.html``.
    """
    head = "".join(f"<th>{_e(e.id)}</th>" for e in grading.exercises)
    rows = []
    for r in grading.learners:
        link = f'<a href="learners/{_e(urllib.parse.quote(slugs[r.learner]))}.html">{_e(r.learner)}</a>'
        cells = "".join(f"<td>{r.points(e)}</td>" for e in grading.exercises)
        rows.append(f"<tr><td>{link}</td>{cells}<td>{r.total(grading.exercises)}</td></tr>")
    learner, total = _("learner"), _("total")
    table = f"<table><tr><th>{_e(learner)}</th>{head}<th>{_e(total)}</th></tr>{''.join(rows)}</table>"
    summary = _("Learners: {count}. Points per learner: at most {max}. Graded in {seconds:.0f} s.",
                count=len(grading.learners), max=grading.max_points, seconds=grading.duration_s)
    title = _("Grades")
    body = [f'<h1>{_e(title)}</h1><p>{_e(summary)} <a href="grades.csv">grades.csv</a></p>', table]
    if not grading.isolation.network:
        warning = _("Graded without network isolation: {reason}", reason=grading.isolation.reason)
        body.append(f'<p class="bad">{_e(warning)}</p>')
    for title, items in ((_("Grader errors"), grading.errors), (_("Files not graded"), grading.notes)):
        if items:
            body.append(f"<h2>{_e(title)}</h2><ul>{''.join(f'<li>{_e(i)}</li>' for i in items)}</ul>")
    return _page(_("Grades"), "".join(body))


@dataclass(frozen=True)
class Written:
    """The files ``write_outputs`` wrote."""

    csv: Path
    index: Path
    learners: dict[str, Path]


def write_outputs(grading: Grading, out: Path) -> Written:
    """Write ``grades.csv``, ``index.html`` and ``learners/<name>.html`` into ``out``.

    Args:
        grading: The results.
        out: The output folder; created if missing. Files of earlier runs are overwritten, not removed.
    """
    (out / "learners").mkdir(parents=True, exist_ok=True)
    slugs = _slugs(grading.learners)
    pages = {}
    for result in grading.learners:
        pages[result.learner] = out / "learners" / f"{slugs[result.learner]}.html"
        pages[result.learner].write_text(learner_html(grading, result), encoding="utf-8")
    index = out / "index.html"
    index.write_text(index_html(grading, slugs), encoding="utf-8")
    return Written(write_grades_csv(grading, out / "grades.csv"), index, pages)
