# expect: fail makes every thumbnail once, in a thread
# The background task was made `async def` so that it can use an asyncio.Semaphore, but it then calls the blocking make_thumbnail directly: the thumbnail runs on the event loop, one at a time, and every request waits while it runs.
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable

from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    slots = asyncio.Semaphore(max_at_once)

    async def thumbnail_when_free(photo_id: int) -> None:
        # An async task does not take a thread of the pool, so the pool stays free for /profile.
        async with slots:
            make_thumbnail(photo_id)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(thumbnail_when_free, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
