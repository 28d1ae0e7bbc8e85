# expect: fail makes max_at_once thumbnails at a time, no more and no fewer
# The thumbnail ThreadPoolExecutor is kept at module level and made only by the first create_app call, so every later app shares it and gets the first app's size: max_at_once does not hold for each app (two apps with 3 share 3 threads, an app made with 5 gets 2).
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import BackgroundTasks, FastAPI

# One pool for the whole process: making a new pool for every app would waste threads.
_thumbnail_pool: ThreadPoolExecutor | None = None


def _pool(max_at_once: int) -> ThreadPoolExecutor:
    global _thumbnail_pool
    if _thumbnail_pool is None:
        _thumbnail_pool = ThreadPoolExecutor(max_workers=max_at_once, thread_name_prefix="thumbnail")
    return _thumbnail_pool


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    pool = _pool(max_at_once)

    async def thumbnail_in_pool(photo_id: int) -> None:
        await asyncio.get_running_loop().run_in_executor(pool, make_thumbnail, photo_id)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(thumbnail_in_pool, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
