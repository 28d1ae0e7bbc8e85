# expect: pass
# An asyncio.Semaphore(max_at_once) made inside create_app guards asyncio.to_thread in an async background task; the lifespan gives the loop a default executor with at least max_at_once threads, so the small built-in default (min(32, cpus + 4)) never holds the count below max_at_once.
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager

from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # asyncio.to_thread uses the loop's default executor; on a small machine it has only a
        # few threads, fewer than max_at_once may be. Give it room for the thumbnails and a few more.
        executor = ThreadPoolExecutor(max_workers=max_at_once + 4, thread_name_prefix="to-thread")
        asyncio.get_running_loop().set_default_executor(executor)
        yield
        executor.shutdown(wait=False)

    app = FastAPI(title="photos", lifespan=lifespan)
    slots = asyncio.Semaphore(max_at_once)  # per app; binds to the server's loop on first use

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
