# expect: fail makes max_at_once thumbnails at a time, no more and no fewer
# The semaphore is held only while the job is handed to the default executor (run_in_executor starts it at once), and the await happens after the `async with` block, so the slot is freed before the thumbnail ends and the number running is bounded by the executor, not by max_at_once.
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable

from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    slots = asyncio.Semaphore(max_at_once)

    async def thumbnail_when_free(photo_id: int) -> None:
        loop = asyncio.get_running_loop()
        async with slots:
            job = loop.run_in_executor(None, make_thumbnail, photo_id)
        # wait outside the semaphore so the next photo is not kept waiting for us
        await job

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(thumbnail_when_free, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
