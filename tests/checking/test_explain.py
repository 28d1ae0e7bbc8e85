"""Tests for perflab.checking.explain: what a learner's exception means, and the line it came from."""

from __future__ import annotations

import asyncio
import resource
from pathlib import Path

import pytest

from perflab.checking.explain import explain, learner_line


def _raised(source: str, tmp_path: Path) -> BaseException:
    path = tmp_path / "learner.py"
    path.write_text(source, encoding="utf-8")
    try:
        exec(compile(source, str(path), "exec", dont_inherit=True), {})
    except BaseException as error:  # noqa: BLE001 - the learner's exception is what we look at
        return error
    raise AssertionError("the source raised nothing")


def test_sys_exit_names_its_code_and_line(tmp_path: Path) -> None:
    error = _raised("x = 1\n\nimport sys\nsys.exit(3)\n", tmp_path)
    assert learner_line(error) == ("learner.py", 4)
    assert "sys.exit(3) on line 4" in explain(error)


def test_memory_error_names_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resource, "getrlimit", lambda kind: (512 * 2**20, 512 * 2**20))
    assert "512 MB" in explain(_raised("raise MemoryError\n", tmp_path))


def test_an_object_of_another_loop_is_named_as_a_frozen_limit() -> None:
    semaphore = asyncio.Semaphore(1)

    async def hold() -> None:
        async with semaphore:
            await asyncio.sleep(0.01)

    async def two() -> None:
        await asyncio.gather(hold(), hold())

    asyncio.run(two())  # the semaphore now belongs to that loop
    with pytest.raises(RuntimeError) as caught:
        asyncio.run(two())
    assert "frozen" in explain(caught.value) and "different event loop" in explain(caught.value)


def test_any_other_exception_names_its_line(tmp_path: Path) -> None:
    assert explain(_raised("\n\nraise ValueError('boom')\n", tmp_path)).endswith("line 3: ValueError: boom")
