from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from perflab.checking.progress_state import ExerciseState, load_state, record_check, record_reset, reveal_hint, state_path


def test_nothing_recorded_means_not_started(tmp_path: Path) -> None:
    assert load_state(tmp_path) == {}
    assert ExerciseState().status == "not started"


def test_checks_are_recorded_and_a_pass_stays_earned(tmp_path: Path) -> None:
    record_check(tmp_path, "gather", False)
    assert load_state(tmp_path)["gather"].status == "failing"
    record_check(tmp_path, "gather", True)
    state = record_check(tmp_path, "gather", False)
    assert (state.status, state.attempts, state.ever_passed) == ("failing", 3, True)
    assert load_state(tmp_path)["gather"] == state and state.last_checked


def test_hint_tiers_grow_up_to_the_number_of_hints(tmp_path: Path) -> None:
    assert [reveal_hint(tmp_path, "cache", 2) for _ in range(3)] == [1, 2, 2]


def test_the_cell_that_revealed_a_hint_reveals_no_more_when_run_again(tmp_path: Path) -> None:
    assert [reveal_hint(tmp_path, "cache", 3, cell="a") for _ in range(2)] == [1, 1]  # Run All, twice
    assert reveal_hint(tmp_path, "cache", 3, cell="b") == 2  # a hint cell further down
    assert reveal_hint(tmp_path, "cache", 3) == 3  # the terminal always asks for the next


def test_reset_starts_over_but_keeps_the_pass_and_the_hints(tmp_path: Path) -> None:
    record_check(tmp_path, "cache", True)
    reveal_hint(tmp_path, "cache", 3)
    state = record_reset(tmp_path, "cache")
    assert (state.status, state.attempts, state.ever_passed, state.hints_shown) == ("not started", 0, True, 1)


def test_the_state_file_lives_where_git_ignores_it(tmp_path: Path, repo_root: Path) -> None:
    path = state_path(repo_root)
    assert path.relative_to(repo_root).as_posix() == ".perflab/state.json"
    ignored = subprocess.run(["git", "-C", str(repo_root), "check-ignore", "-q", str(path)], timeout=30)
    assert ignored.returncode == 0


def test_a_damaged_file_is_kept_aside_and_progress_starts_afresh(tmp_path: Path) -> None:
    path = state_path(tmp_path)
    path.parent.mkdir()
    path.write_text("{not json", encoding="utf-8")
    assert load_state(tmp_path) == {}
    assert path.with_name("state.json.damaged").read_text(encoding="utf-8") == "{not json"
    record_check(tmp_path, "gather", True)
    assert load_state(tmp_path)["gather"].status == "passed"


def test_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    def work(exercise_id: str) -> None:
        for _ in range(20):
            record_check(tmp_path, exercise_id, False)

    threads = [threading.Thread(target=work, args=(f"ex{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {k: v.attempts for k, v in load_state(tmp_path).items()} == {f"ex{i}": 20 for i in range(4)}
    assert not [p for p in state_path(tmp_path).parent.iterdir() if p.suffix == ".tmp"]
