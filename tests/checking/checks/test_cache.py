"""The cache checks tell right from wrong: stub fails, solution and right answers pass, each wrong answer fails its named check."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

from perflab.checking.engine import Namespace, Report, run_checks
from perflab.checking.checks._fresh import definitions_of
from perflab.checking.checks.cache import CHECKS
from answer_kit import answer_namespace, check_answer, failures_over_many_runs, load_answer

ROOT = Path(__file__).resolve().parents[3]
SOLUTION = ROOT / "solutions" / "03_caching" / "cache.py"
ANSWERS = sorted((ROOT / "tests" / "answers" / "cache").glob("*.py"))
BY_TITLE = {c.title: c for c in CHECKS}
# wrong_sync_client leaves coroutines unawaited on purpose: that is the mistake it shows.
pytestmark = pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")


@pytest.fixture(autouse=True)
def collect_unawaited_coroutines() -> Iterator[None]:
    """Collect the coroutines wrong_sync_client leaves unawaited on purpose, before other tests warn of them."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        gc.collect()


def _check(path: Path) -> Report:
    return run_checks("cache", CHECKS, answer_namespace(path))


def test_the_stub_fails() -> None:
    report = _check(ROOT / "exercises" / "03_caching" / "cache.py")
    assert not report.outcomes[0].passed and not report.passed, str(report)


def test_the_solution_passes() -> None:
    assert _check(SOLUTION).passed


@pytest.mark.parametrize("path", ANSWERS, ids=[p.stem for p in ANSWERS])
def test_each_answer_gets_the_verdict_its_header_names(path: Path) -> None:
    check_answer("cache", CHECKS, path)


def test_hash_keys_fail_even_with_a_fixed_hash_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONHASHSEED", "1")  # the fresh process must then use another seed
    check = BY_TITLE["the key is the same in every process"]
    report = run_checks("cache", [check], Namespace(load_answer(ROOT / "tests" / "answers" / "cache" / "wrong_hash_key.py")))
    assert not report.passed, str(report)


def test_the_source_is_found_in_a_graded_notebook(tmp_path: Path) -> None:
    cell = "# exercise: cache\n" + SOLUTION.read_text(encoding="utf-8") + "\n%time 1 + 1\nawait cached(None, 1)(None)\n"
    cells = [nbformat.v4.new_code_cell("import json"), nbformat.v4.new_code_cell(cell)]
    notebook = nbformat.v4.new_notebook(cells=cells)
    path = tmp_path / "submission.ipynb"
    nbformat.write(notebook, path)
    cached = load_answer(SOLUTION)["cached"]
    cached.__code__ = cached.__code__.replace(co_filename=str(path))  # as if run from the notebook
    source = definitions_of(cached, "cached")
    assert "def cached" in source and "await" not in source.split("def cached")[0] and "%time" not in source


def test_a_missing_source_is_a_clear_failure() -> None:
    objects: dict[str, Any] = {}
    exec(SOLUTION.read_text(encoding="utf-8"), objects)  # compiled as "<string>": no source to find
    report = run_checks("cache", [BY_TITLE["the key is the same in every process"]], Namespace(objects))
    assert not report.passed and "source code" in report.outcomes[0].message


def test_a_sync_style_client_gets_a_hint_to_await() -> None:
    report = _check(ROOT / "tests" / "answers" / "cache" / "wrong_sync_client.py")
    assert "await" in report.outcomes[0].message, str(report)


@pytest.mark.slow
@pytest.mark.usefixtures("busy_core")
def test_the_solution_passes_every_run_with_a_core_busy() -> None:
    failures = failures_over_many_runs("cache", CHECKS, Namespace(load_answer(SOLUTION)),
                                       fresh_title="the key is the same in every process")
    assert failures == [], failures[:1]
