# expect: fail makes max_at_once thumbnails at a time, no more and no fewer
# make_thumbnail does run in a per-app ThreadPoolExecutor(max_at_once), but the async background task waits with future.result(), which blocks the event loop: only one thumbnail runs at a time and every request stalls while it runs.
# Written from the exercise text alone.
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    pool = ThreadPoolExecutor(max_workers=max_at_once, thread_name_prefix="thumbnail")

    async def thumbnail_in_pool(photo_id: int) -> None:
        future = pool.submit(make_thumbnail, photo_id)
        future.result()  # surface errors from the thumbnail

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(thumbnail_in_pool, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
