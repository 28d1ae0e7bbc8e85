# expect: fail makes max_at_once thumbnails at a time, no more and no fewer
# The limit is a constant 4 taken from the "Try it" example instead of the max_at_once argument, so an app made with any other max_at_once runs the wrong number of thumbnails at once.
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable

from fastapi import BackgroundTasks, FastAPI

THUMBNAILS_AT_ONCE = 4  # image work is CPU-heavy; four at a time is plenty


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    slots = asyncio.Semaphore(THUMBNAILS_AT_ONCE)

    async def thumbnail_when_free(photo_id: int) -> None:
        async with slots:
            await asyncio.to_thread(make_thumbnail, photo_id)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(thumbnail_when_free, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
