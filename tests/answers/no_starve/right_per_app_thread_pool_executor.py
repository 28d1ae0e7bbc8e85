# expect: pass
# Each app owns a ThreadPoolExecutor(max_workers=max_at_once); an async background task awaits loop.run_in_executor on it, so at most max_at_once thumbnails run, extra photos wait in the executor's queue, and FastAPI's own thread pool stays free.
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    thumbnail_pool = ThreadPoolExecutor(max_workers=max_at_once, thread_name_prefix="thumbnail")
    app.state.thumbnail_pool = thumbnail_pool

    async def thumbnail_in_pool(photo_id: int) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(thumbnail_pool, make_thumbnail, photo_id)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(thumbnail_in_pool, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
