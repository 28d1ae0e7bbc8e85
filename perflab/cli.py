"""The ``perflab`` command: environment check and maintainer commands (``perflab dev …``)."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from perflab.i18n import _, LANGUAGES, ngettext, UnknownLanguage, use_language
from perflab.paths import repo_root

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]



def _doctor(args: argparse.Namespace) -> int:
    from perflab.envcheck import check_environment

    report = check_environment()
    print(report)
    return 0 if report.ok else 1


def _dev_notebooks(args: argparse.Namespace) -> int:
    from perflab.build.notebooks import build_notebooks
    from perflab.build.stub_lock import write_stub_lock

    for path in build_notebooks(repo_root()):
        print(path)
    if write_stub_lock(repo_root()):
        print(repo_root() / "exercises" / "stubs.lock")
    return 0


def _dev_translations(args: argparse.Namespace) -> int:
    from perflab.build.catalogs import update_catalogs

    print(update_catalogs(repo_root()))
    return 0


def _dev_gate(args: argparse.Namespace) -> int:
    from perflab.build.gate import run_gate

    problems = run_gate(repo_root())
    for problem in problems:
        print(problem)
    print(ngettext("{n} problem found", "{n} problems found", len(problems)) if problems
          else _("Translation gate: all good"))
    return 1 if problems else 0


def _dev_claims(args: argparse.Namespace) -> int:
    from perflab.build.claims import claims_table, run_claims

    found = run_claims(repo_root(), runs=args.runs, notebooks=args.notebooks)
    print(claims_table(found))
    return 0 if all(c.holds for made in found.values() for c in made) else 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="perflab", description=_("FastAPI Performance Lab"))
    parser.add_argument("--lang", help=_("language for messages: {langs}", langs=", ".join(LANGUAGES)))
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("doctor", help=_("check versions, fonts, Redis and the database")).set_defaults(run=_doctor)
    dev = commands.add_parser("dev", help=_("maintainer commands")).add_subparsers(dest="dev_command", required=True)
    dev.add_parser("notebooks", help=_("build every notebook in every language")).set_defaults(run=_dev_notebooks)
    dev.add_parser("translations", help=_("extract and update the catalogs")).set_defaults(run=_dev_translations)
    dev.add_parser("gate", help=_("fail on any missing, fuzzy or broken translation or stale notebook")).set_defaults(run=_dev_gate)
    claims = dev.add_parser("claims", help=_("run the English notebooks several times and print every claim's spread"))
    claims.add_argument("--runs", type=int, default=5)
    claims.add_argument("notebooks", nargs="*", type=Path)
    claims.set_defaults(run=_dev_claims)
    from perflab.checking.exercise_cli import add_exercise_commands
    from perflab.grading.cli import add_grade_command

    add_exercise_commands(commands, dev)
    add_grade_command(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``perflab`` command line and return its exit status.

    Args:
        argv: The arguments. Defaults to ``sys.argv[1:]``.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    # The language must be known before the parser is built: its help texts are translated.
    early = argparse.ArgumentParser(add_help=False)
    early.add_argument("--lang")
    try:
        lang = early.parse_known_args(argv)[0].lang
        if lang:
            use_language(lang)
        args = _parser().parse_args(argv)
    except UnknownLanguage as exc:
        print(exc, file=sys.stderr)
        return 2
    handler: Handler = args.run
    return _run_to_the_end(handler, args)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM and SIGHUP clean up exactly as Ctrl-C does


def _run_to_the_end(handler: Handler, args: argparse.Namespace) -> int:
    """Run a command; Ctrl-C, SIGTERM, SIGHUP and a closed pipe end it quietly, after its own clean-up."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `perflab progress | head`: the reader has gone, and wants no more
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
