"""Tests for perflab.serving.registry: a name holds one server, and stopping by name stops that one."""

from __future__ import annotations

from perflab.serving.registry import Registry


class _Server:
    def __init__(self) -> None:
        self.stopped = 0

    def stop(self) -> None:
        self.stopped += 1


def test_stopping_a_name_stops_its_server_once_and_returns_it() -> None:
    registry: Registry[_Server] = Registry()
    server = _Server()
    registry.add("app", server)
    assert registry.stop("app") is server and server.stopped == 1
    assert registry.stop("missing") is None


def test_an_old_server_cannot_forget_the_name_a_new_one_took() -> None:
    registry: Registry[_Server] = Registry()
    old, new = _Server(), _Server()
    registry.add("app", old)
    registry.add("app", new)
    registry.forget("app", old)
    assert registry.servers() == [new]
    registry.forget("app", new)
    assert registry.servers() == []


def test_stop_all_stops_every_server() -> None:
    registry: Registry[_Server] = Registry()
    servers = [_Server() for _ in range(3)]
    for number, server in enumerate(servers):
        registry.add(str(number), server)
    registry.stop_all()
    assert [s.stopped for s in servers] == [1, 1, 1]
