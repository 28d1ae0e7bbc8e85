from __future__ import annotations

import threading
from contextlib import asynccontextmanager
from collections.abc import AsyncIterator

import httpx
import psutil
import pytest
from fastapi import FastAPI

from perflab.serving import kernel as serving
from perflab.errors import NotAnASGIApp, PortInUse, StartupFailed
from perflab.i18n import use_language


def _app() -> FastAPI:
    app = FastAPI()

    @app.get("/")
    async def root() -> dict[str, bool]:
        return {"ok": True}

    return app


def _listening_ports() -> set[int]:
    conns = psutil.Process().net_connections(kind="tcp")
    return {c.laddr.port for c in conns if c.status == psutil.CONN_LISTEN}


def test_serve_answers_on_loopback() -> None:
    with serving.serve(_app(), name="t") as srv:
        assert srv.url.startswith("http://127.0.0.1:")
        assert httpx.get(srv.url + "/").json() == {"ok": True}


def test_stop_frees_thread_and_port() -> None:
    threads_before = set(threading.enumerate())
    srv = serving.serve(_app(), name="t")
    srv.stop()
    assert not srv.running
    assert srv.port not in _listening_ports()
    assert set(threading.enumerate()) <= threads_before


def test_serving_the_same_name_replaces_the_old_server() -> None:
    first = serving.serve(_app(), name="same")
    second = serving.serve(_app(), name="same")
    assert not first.running and second.running
    assert serving.running_servers() == [second]
    second.stop()


def test_reserving_on_the_same_explicit_port_works() -> None:
    first = serving.serve(_app(), name="p")
    second = serving.serve(_app(), name="p", port=first.port)
    assert httpx.get(second.url).status_code == 200
    second.stop()


def test_lifespan_runs_on_start_and_stop() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("start")
        yield
        events.append("stop")

    serving.serve(FastAPI(lifespan=lifespan), name="life").stop()
    assert events == ["start", "stop"]


def test_kill_skips_lifespan_shutdown_and_frees_the_port() -> None:
    events: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        events.append("start")
        yield
        events.append("stop")

    threads_before = set(threading.enumerate())
    srv = serving.serve(FastAPI(lifespan=lifespan), name="killed")
    srv.kill()
    assert events == ["start"]  # a killed process runs no shutdown code
    assert not srv.running and srv.port not in _listening_ports()
    assert set(threading.enumerate()) <= threads_before
    assert serving.running_servers() == []


def test_taken_port_is_a_clear_error() -> None:
    srv = serving.serve(_app(), name="holder")
    with pytest.raises(PortInUse, match=str(srv.port)):
        serving.serve(_app(), name="other", port=srv.port)
    assert httpx.get(srv.url).status_code == 200
    srv.stop()


def test_taken_port_error_is_translated() -> None:
    srv = serving.serve(_app(), name="holder")
    use_language("ru")
    with pytest.raises(PortInUse, match="Порт"):
        serving.serve(_app(), name="other", port=srv.port)
    srv.stop()


def test_startup_failure_names_the_cause_and_leaves_nothing() -> None:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        raise RuntimeError("redis is down")
        yield

    threads_before = set(threading.enumerate())
    with pytest.raises(StartupFailed, match="redis is down"):
        serving.serve(FastAPI(lifespan=lifespan), name="broken")
    assert set(threading.enumerate()) <= threads_before
    assert serving.running_servers() == []


def test_startup_that_hangs_times_out() -> None:
    import asyncio

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.sleep(3600)
        yield

    with pytest.raises(StartupFailed):
        serving.serve(FastAPI(lifespan=lifespan), name="hang", timeout_s=0.5)
    assert serving.running_servers() == []


@pytest.mark.parametrize("thing", [None, FastAPI, 42, "app", lambda environ, start_response: None, lambda: None])
def test_not_an_app_is_a_clear_error(thing: object) -> None:
    with pytest.raises(NotAnASGIApp, match="ASGI"):
        serving.serve(thing, name="x")


def test_not_an_app_error_is_translated() -> None:
    use_language("bn")
    with pytest.raises(NotAnASGIApp) as info:
        serving.serve(None, name="x")
    assert "ASGI" in str(info.value)
