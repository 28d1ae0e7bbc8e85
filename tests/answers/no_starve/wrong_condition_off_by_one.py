# expect: fail makes max_at_once thumbnails at a time, no more and no fewer
# A hand-made counter guarded by an asyncio.Condition waits for `running <= max_at_once` before adding one, so max_at_once + 1 thumbnails run at the same time: the limit is off by one.
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable

from fastapi import BackgroundTasks, FastAPI
from starlette.concurrency import run_in_threadpool


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    changed = asyncio.Condition()
    state = {"running": 0}

    async def thumbnail_when_free(photo_id: int) -> None:
        async with changed:
            await changed.wait_for(lambda: state["running"] <= max_at_once)
            state["running"] += 1
        try:
            await run_in_threadpool(make_thumbnail, photo_id)
        finally:
            async with changed:
                state["running"] -= 1
                changed.notify()

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(thumbnail_when_free, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
