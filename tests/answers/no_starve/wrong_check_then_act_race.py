# expect: fail makes max_at_once thumbnails at a time, no more and no fewer
# The async background task polls `while running >= max_at_once: await asyncio.sleep(...)`, but the counter is raised only inside the worker thread once it starts; waiters that wake in the same loop turn all see the same free slot, so more than max_at_once thumbnails run together.
# Written from the exercise text alone.
import asyncio
import threading
from collections.abc import Callable

import anyio.to_thread
from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    lock = threading.Lock()  # the counter is changed from several threads
    state = {"running": 0}

    def counted(photo_id: int) -> None:
        with lock:
            state["running"] += 1
        try:
            make_thumbnail(photo_id)
        finally:
            with lock:
                state["running"] -= 1

    async def thumbnail_when_free(photo_id: int) -> None:
        # wait on the event loop, not in a thread, so no pool thread is held while waiting
        while state["running"] >= max_at_once:
            await asyncio.sleep(0.01)
        await anyio.to_thread.run_sync(counted, photo_id)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(thumbnail_when_free, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
