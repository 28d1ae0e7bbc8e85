from __future__ import annotations

import subprocess
import sys

import pytest

from perflab.cli import main


def test_unknown_language_exits_2_with_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--lang", "xx", "doctor"]) == 2
    assert "bn" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "perflab", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "doctor" in done.stdout


def test_doctor_prints_the_report(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    main(["doctor"])
    assert "fastapi" in capsys.readouterr().out


def test_lang_option_translates_output(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--lang=ru", "--help"])
    assert "проверить версии" in capsys.readouterr().out
