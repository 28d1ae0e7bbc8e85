# expect: fail keeps GET /profile answering during a burst
# The sync background task waits on a threading.BoundedSemaphore(max_at_once): the count of thumbnails is right, but every waiting photo still holds a thread of FastAPI's shared pool while it waits, so a burst takes all 40 threads and GET /profile starves.
# Written from the exercise text alone.
import threading
from collections.abc import Callable

from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    slots = threading.BoundedSemaphore(max_at_once)

    def thumbnail_when_free(photo_id: int) -> None:
        with slots:
            make_thumbnail(photo_id)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(thumbnail_when_free, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
