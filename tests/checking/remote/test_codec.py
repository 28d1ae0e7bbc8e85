"""The codec: data crosses by value, everything else by handle, and only the judge may send pickles."""

from __future__ import annotations

import dataclasses
import datetime
import io
import math
from typing import Any

import pytest

from perflab.checking.remote.codec import decode, encode, pack, read_frame


def _handle(obj: Any, table: list[Any]) -> dict[str, Any]:
    table.append(obj)
    return {"$h": len(table) - 1}


def _round_trip(value: Any, trusted: bool) -> tuple[Any, list[Any]]:
    table: list[Any] = []
    blobs: list[bytes] = []
    data = encode(value, blobs, lambda obj: _handle(obj, table), trusted)
    header, received = read_frame(io.BytesIO(pack({"value": data}, blobs)).read)
    return decode(header["value"], received, lambda h: ("stub", table[h["$h"]]), unpickle=trusted), table


@pytest.mark.parametrize("trusted", [True, False])
def test_data_crosses_by_value_with_its_types(trusted: bool) -> None:
    value = {"none": None, "flag": True, "n": 7, "x": 2.5, "inf": math.inf, "text": "ржঃ", "raw": b"\x00\xff",
             1: (1, [2, {3}]), (4, 5): frozenset({6}), "empty": [], "blank": {}}
    decoded, table = _round_trip(value, trusted)
    assert decoded == value and table == []
    assert type(decoded[1]) is tuple and type(decoded[(4, 5)]) is frozenset and type(decoded["raw"]) is bytes


def test_functions_and_module_globals_go_by_handle() -> None:
    def function() -> None:
        """Anything callable."""

    scope = {"__builtins__": {}, "app": object()}
    decoded, table = _round_trip([function, scope], trusted=False)
    assert decoded == [("stub", function), ("stub", scope)] and table == [function, scope]


@dataclasses.dataclass
class _Row:
    id: int


@dataclasses.dataclass
class _Counter:
    calls: int = 0

    def __call__(self) -> int:
        self.calls += 1
        return self.calls


def test_the_judge_pickles_dates_and_rows_but_keeps_a_callable_dataclass() -> None:
    moment = datetime.datetime(2026, 12, 7, 1, 2, 3)
    decoded, table = _round_trip([moment, _Row(3), counter := _Counter()], trusted=True)
    assert decoded[:2] == [moment, _Row(3)] and decoded[2] == ("stub", counter) and table == [counter]


def test_the_subject_sends_no_pickle_and_the_judge_accepts_none() -> None:
    decoded, table = _round_trip(datetime.date(2026, 1, 1), trusted=False)
    assert decoded[0] == "stub" and len(table) == 1  # by handle: the subject never pickles
    blobs: list[bytes] = [b"cos\nsystem\n(S'true'\ntR."]  # what a hostile subject could send
    with pytest.raises(ValueError, match="pickle"):
        decode({"$p": 0}, blobs, lambda h: None, unpickle=False)


def test_a_frame_larger_than_the_limit_is_refused() -> None:
    frame = pack({"op": "reply"}, [b"x" * 1000])
    with pytest.raises(ValueError, match="too large"):
        read_frame(io.BytesIO(frame).read, limit=500)
    with pytest.raises(EOFError):
        read_frame(io.BytesIO(frame[:-10]).read)
