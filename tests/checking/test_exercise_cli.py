"""The learner's terminal commands, wired into a parser the way ``perflab.cli`` wires them."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from fixtures.exercise_course import escaping_learner, git_course

from perflab.checking.exercise_cli import add_exercise_commands, watch
from perflab.checking.manifest import load_manifest
from perflab.checking.progress_state import record_check

CYRILLIC = re.compile("[\u0400-\u04ff]")
SHOUT = "def shout(text):\n    return text.upper() + '!'\n"


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="perflab")
    parser.add_argument("--lang")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("dev").add_subparsers(dest="dev_command", required=True)
    add_exercise_commands(commands)
    args = parser.parse_args(argv)
    return int(args.run(args))


@pytest.fixture
def course(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A git clone of the fixture course, found through PERFLAB_ROOT."""
    root = git_course(tmp_path)
    monkeypatch.setenv("PERFLAB_ROOT", str(root))
    return root


def test_check_exits_1_on_the_stub_and_0_on_the_solution(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("check", "double") == 1
    assert "✗ `double` doubles numbers" in capsys.readouterr().out
    assert _run("check", "double", "--file", str(course / "solutions" / "01_demo" / "double.py")) == 0
    assert "all checks passed" in capsys.readouterr().out


def test_check_without_an_id_checks_every_exercise(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (course / "exercises" / "01_demo" / "shout.py").write_text(SHOUT, encoding="utf-8")
    assert _run("check") == 1
    out = capsys.readouterr().out
    assert "double: some checks failed" in out and "shout: all checks passed" in out


def test_check_json_is_scriptable(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("check", "double", "--json") == 1
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"id", "passed", "checks", "duration_s"} and data["passed"] is False
    assert {"name", "passed", "message"} <= set(data["checks"][0])
    assert _run("check", "--json") == 1
    assert [r["id"] for r in json.loads(capsys.readouterr().out)] == ["double", "shout"]


def test_usage_mistakes_exit_2_with_a_message(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("check", "--file", "x.py") == 2
    assert "--file" in capsys.readouterr().err
    assert _run("check", "tripple") == 2
    assert "double, shout" in capsys.readouterr().err
    assert _run("check", "double", "--file", str(course / "missing.py")) == 2


def test_lang_translates_the_report(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("check", "double", "--lang", "ru") == 1
    assert CYRILLIC.search(capsys.readouterr().out)


def test_progress_shows_every_exercise_and_a_bar(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (course / "exercises" / "01_demo" / "shout.py").write_text(SHOUT, encoding="utf-8")
    _run("check", "shout")
    _run("check", "double")
    capsys.readouterr()
    assert _run("progress") == 0
    out = capsys.readouterr().out
    assert "exercises: 1/2, points: 1/3" in out
    assert re.search(r"✓ shout +passed", out) and re.search(r"✗ double +failing", out)


def test_hint_shows_the_next_tier(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _run("hint", "double")
    assert "Hint 1 of 2" in capsys.readouterr().out
    _run("hint", "double")
    out = capsys.readouterr().out
    assert "Hint 2 of 2" in out and "last hint" in out


def test_reset_keeps_a_backup_and_restores_the_stub(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stub = course / "exercises" / "01_demo" / "double.py"
    original = stub.read_text(encoding="utf-8")
    stub.write_text("my work\n", encoding="utf-8")
    assert _run("reset", "double", "--yes") == 0
    assert stub.read_text(encoding="utf-8") == original
    backups = list((course / ".perflab" / "backups").iterdir())
    assert [b.read_text(encoding="utf-8") for b in backups] == ["my work\n"]
    assert backups[0].name in capsys.readouterr().out
    stub.write_text("more work\n", encoding="utf-8")
    assert _run("reset", "double", "--yes") == 0
    assert len(list((course / ".perflab" / "backups").iterdir())) == 2, "a second reset keeps both backups"


def test_reset_restores_the_shipped_stub_even_after_a_commit(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stub = course / "exercises" / "01_demo" / "double.py"
    original = stub.read_text(encoding="utf-8")
    stub.write_text("my committed work\n", encoding="utf-8")
    git = ["git", "-C", str(course), "-c", "user.name=t", "-c", "user.email=t@example.com"]
    subprocess.run([*git, "commit", "-q", "-am", "my work"], check=True)
    assert _run("reset", "double", "--yes") == 0
    assert stub.read_text(encoding="utf-8") == original, "the course's stub, not the learner's own commit"
    out = capsys.readouterr().out
    backup = next((course / ".perflab" / "backups").iterdir())
    assert backup.read_text(encoding="utf-8") == "my committed work\n"
    assert backup.name in out and "exercises/01_demo/double.py" in out


def test_a_pass_stays_earned_after_a_reset(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record_check(course, "shout", True)
    assert _run("reset", "shout", "--yes") == 0
    capsys.readouterr()
    assert _run("progress") == 0
    out = capsys.readouterr().out
    assert re.search(r"✓ shout +passed before", out) and "exercises: 1/2, points: 1/3" in out
    assert _run("solution", "shout") == 0


def test_reset_asks_first(course: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    stub = course / "exercises" / "01_demo" / "double.py"
    stub.write_text("my work\n", encoding="utf-8")
    def no_terminal(prompt: str) -> str:
        raise EOFError

    monkeypatch.setattr("builtins.input", lambda prompt: "n")
    assert _run("reset", "double") == 1
    monkeypatch.setattr("builtins.input", no_terminal)
    assert _run("reset", "double") == 1
    assert "--yes" in capsys.readouterr().out
    assert stub.read_text(encoding="utf-8") == "my work\n"
    monkeypatch.setattr("builtins.input", lambda prompt: "y")
    assert _run("reset", "double") == 0 and stub.read_text(encoding="utf-8") != "my work\n"


def test_solution_waits_for_a_pass_unless_forced(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("solution", "shout") == 1
    assert "--force" in capsys.readouterr().out
    assert _run("solution", "shout", "--force") == 0
    assert "text.upper()" in capsys.readouterr().out
    (course / "exercises" / "01_demo" / "shout.py").write_text(SHOUT, encoding="utf-8")
    _run("check", "shout")
    assert _run("solution", "shout") == 0


def test_watch_checks_again_when_a_file_is_saved(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    calls = []

    def stop() -> bool:
        calls.append(1)
        if len(calls) == 2:
            (course / "exercises" / "01_demo" / "shout.py").write_text(SHOUT, encoding="utf-8")
        return len(calls) >= 3

    assert watch(load_manifest(course), ["double", "shout"], interval_s=0.05, stop=stop) == 0
    out = capsys.readouterr().out
    assert "shout: all checks passed" in out and "double:" not in out and "exercises: 1/2" in out


def test_watch_stops_cleanly_on_ctrl_c(course: Path) -> None:
    code = "from perflab.checking.exercise_cli import watch\nfrom perflab.checking.manifest import load_manifest\nwatch(load_manifest(), ['shout'])\n"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=course)
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(2)]  # "Watching…", then the first report's header
    assert "shout" in lines[1]
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    out, _err = proc.communicate(timeout=30)
    assert proc.returncode == 0 and "Stopped watching." in out and "Traceback" not in out


def test_dev_check_reports_a_whole_course(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("dev", "check") == 0
    assert "all good" in capsys.readouterr().out


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["SIGTERM", "SIGHUP", "SIGINT"])
def test_a_stopped_check_leaves_nothing_behind(course: Path, tmp_path: Path, sig: signal.Signals) -> None:
    scratch, pid_file, learner = tmp_path / "tmp", tmp_path / "pids", tmp_path / "hangs.py"
    scratch.mkdir()
    learner.write_text(escaping_learner(pid_file, "while True:\n    time.sleep(1)\n"), encoding="utf-8")
    env = {**os.environ, "PERFLAB_ROOT": str(course), "TMPDIR": str(scratch), "PERFLAB_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-m", "perflab", "check", "double", "--file", str(learner)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while len(pid_file.read_text().split() if pid_file.exists() else []) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=30)
    pids = [int(pid) for pid in pid_file.read_text().split()]
    time.sleep(0.2)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert not any(_alive(pid) for pid in pids), "a learner's process outlived the check"
    assert list(scratch.iterdir()) == [], "scratch folders and report files are removed"


def test_a_closed_pipe_ends_quietly(course: Path) -> None:
    env = {**os.environ, "PERFLAB_ROOT": str(course)}
    proc = subprocess.Popen([sys.executable, "-m", "perflab", "progress"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    proc.stdout.close()  # as `perflab progress | head -0` does
    err = proc.communicate(timeout=60)[1]
    assert "Traceback" not in err and "BrokenPipe" not in err, err


def test_check_help_says_what_the_self_check_contains(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        _run("check", "--help")
    out = " ".join(capsys.readouterr().out.split())
    assert "not a prison" in out and "perflab grade" in out


def test_task_shows_the_whole_task_in_the_learners_language(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run("task", "double") == 0
    out = capsys.readouterr().out
    assert out.startswith("double: ") and "Build what the title says" in out
