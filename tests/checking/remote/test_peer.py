"""Two peers in one process, over a socket pair: calls, callbacks, exceptions, cancellation and an end."""

from __future__ import annotations

import asyncio
import functools
import inspect
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from perflab.checking.remote.home import HomeLoop
from perflab.checking.remote.peer import Peer, PeerGone, RemoteError
from perflab.checking.remote.stubs import globals_of, remote_of


class _Pair:
    """A judge and a subject: ``export`` puts an object on the subject's side and returns the judge's stub."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        self.homes = HomeLoop(), HomeLoop()
        self.judge = Peer(ours, trusted=True, home=self.homes[0].start()).start()
        self.subject = Peer(theirs, trusted=False, home=self.homes[1].start()).start()

    def export(self, obj: Any) -> Any:
        self.subject.notify("hello", obj)
        value = self.judge.wait_notice("hello", 5)
        del self.judge.notices["hello"]
        return value

    def close(self) -> None:
        self.judge.close()
        self.subject.close()
        for home in self.homes:
            home.stop()


@pytest.fixture
def pair() -> Iterator[_Pair]:
    both = _Pair()
    yield both
    both.close()


class _Box:
    """An object with state, special methods and an async context."""

    def __init__(self) -> None:
        self.items = {"a": 1}
        self.entered = 0

    def __len__(self) -> int:
        return len(self.items)

    def __getitem__(self, key: str) -> int:
        return self.items[key]

    async def __aenter__(self) -> _Box:
        self.entered += 1
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None


def test_calls_attributes_and_special_methods_reach_the_owner(pair: _Pair) -> None:
    async def add(a: int, b: int) -> int:
        return a + b

    box = _Box()
    remote_add, remote_box = pair.export([add, box])

    async def use() -> tuple[Any, ...]:
        async with remote_box:
            pass
        remote_box.label = "set remotely"
        return await remote_add(2, b=3), len(remote_box), remote_box["a"], remote_box.entered

    assert inspect.iscoroutinefunction(remote_add) and remote_add.__name__ == "add"
    assert asyncio.run(use()) == (5, 1, 1, 1) and box.label == "set remotely"


def test_callbacks_run_on_the_loop_that_passed_them(pair: _Pair) -> None:
    async def twice(callback: Any) -> list[Any]:
        return [await callback(1), await callback(2)]

    remote_twice = pair.export(twice)

    async def use() -> tuple[list[Any], set[int]]:
        loops: set[int] = set()

        async def callback(n: int) -> int:
            loops.add(id(asyncio.get_running_loop()))
            return n * 10

        return await remote_twice(callback), loops | {-id(asyncio.get_running_loop())}

    results, loops = asyncio.run(use())
    assert results == [10, 20] and len(loops) == 2 and sum(loops) == 0  # the callback ran on the caller's loop


def test_exceptions_keep_their_type_errno_and_identity(pair: _Pair) -> None:
    class Mine(Exception):
        """Known only to the subject."""

    def fail(kind: str) -> None:
        if kind == "key":
            raise KeyError("missing")
        if kind == "os":
            raise FileNotFoundError(2, "No such file or directory")
        raise Mine("custom")

    async def passes_on(callback: Any) -> None:
        await callback()

    remote_fail, remote_pass_on = pair.export([fail, passes_on])
    with pytest.raises(KeyError, match="missing"):
        remote_fail("key")
    with pytest.raises(FileNotFoundError) as caught:
        remote_fail("os")
    assert caught.value.errno == 2
    with pytest.raises(RemoteError, match="custom") as custom:
        remote_fail("mine")
    assert type(custom.value).__name__ == "Mine"
    ours = LookupError("the judge's own")

    async def raise_ours() -> None:
        raise ours

    with pytest.raises(LookupError) as back:
        asyncio.run(remote_pass_on(raise_ours))
    assert back.value is ours  # through the learner's code and back: the very same object


def test_cancelling_a_call_cancels_it_on_the_other_side(pair: _Pair) -> None:
    cancelled = threading.Event()

    async def wait_forever() -> None:
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise

    remote_wait = pair.export(wait_forever)

    async def use() -> None:
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(remote_wait(), 0.2)

    asyncio.run(use())
    assert cancelled.wait(5)


def test_a_wrapper_of_a_stub_is_not_taken_for_the_stub(pair: _Pair) -> None:
    async def lookup() -> str:
        return "judge"

    def decorate(func: Any) -> Any:
        @functools.wraps(func)  # copies the stub's attributes onto the learner's wrapper
        async def wrapper() -> str:
            return "wrapped " + await func()

        return wrapper

    remote_decorate = pair.export(decorate)
    wrapped = remote_decorate(lookup)
    assert remote_of(wrapped) is not None and wrapped is not lookup
    assert asyncio.run(wrapped()) == "wrapped judge" and wrapped.__name__ == "lookup"


def test_a_class_is_called_to_make_an_instance_and_globals_are_the_subjects(pair: _Pair) -> None:
    class Decorator:
        def __init__(self, ttl: int) -> None:
            self.ttl = ttl

        def __call__(self, func: Any) -> str:
            return f"{func} for {self.ttl}"

    def measure() -> None:
        """Reads a global."""

    remote_class, remote_measure = pair.export([Decorator, measure])
    assert remote_class(5)("f") == "f for 5"  # type.__call__, not Decorator.__call__ on the class
    scope = globals_of(remote_measure)
    scope["swapped_in"] = "x"
    assert measure.__globals__.pop("swapped_in") == "x" and "swapped_in" not in globals_of(test_peer_module_marker)


def test_peer_module_marker() -> None:
    """A local function: globals_of reads its own globals."""
    assert globals_of(test_peer_module_marker) is globals()


def test_calls_fail_with_the_farewell_once_the_other_side_is_gone(pair: _Pair) -> None:
    def hello() -> str:
        return "hi"

    remote_hello = pair.export(hello)
    pair.subject.notify("farewell", "os._exit(3) on line 7")
    pair.subject.close()
    assert pair.judge.gone.wait(5)
    with pytest.raises(PeerGone, match=r"os\._exit\(3\) on line 7"):
        remote_hello()


def test_the_judge_refuses_to_run_what_the_subject_sends(pair: _Pair) -> None:
    async def use() -> Any:
        return await pair.subject.request("run", 0, b"not a pickle the judge would ever load")

    with pytest.raises(LookupError):
        asyncio.run(asyncio.wait_for(use(), 5))
