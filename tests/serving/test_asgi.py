from __future__ import annotations

import anyio

from perflab.serving.asgi import LifespanProbe, require_asgi_app


async def raw_app(scope: dict, receive: object, send: object) -> None:
    return None


class CallableApp:
    async def __call__(self, scope: dict, receive: object, send: object) -> None:
        return None


def test_raw_asgi_functions_and_objects_are_accepted() -> None:
    require_asgi_app(raw_app)
    require_asgi_app(CallableApp())


def test_probe_remembers_a_raw_app_that_raises_in_lifespan() -> None:
    async def failing(scope: dict, receive: object, send: object) -> None:
        raise ValueError("no config")

    probe = LifespanProbe(failing)

    async def run() -> None:
        try:
            await probe({"type": "lifespan"}, None, None)
        except ValueError:
            pass

    anyio.run(run)
    assert probe.failure == "ValueError: no config"
