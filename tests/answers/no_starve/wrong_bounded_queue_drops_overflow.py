# expect: fail makes every thumbnail once, in a thread
# Photos go into an asyncio.Queue(maxsize=8 * max_at_once) served by max_at_once workers, and put_nowait's QueueFull is caught and only logged as "back-pressure": in a burst bigger than the queue some photos never get a thumbnail.
# Written from the exercise text alone.
import asyncio
import logging
from collections.abc import Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import BackgroundTasks, FastAPI

log = logging.getLogger("photos")
BACKLOG_PER_WORKER = 8  # keep the backlog bounded so memory cannot grow without end


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    queue: asyncio.Queue[int] = asyncio.Queue(maxsize=BACKLOG_PER_WORKER * max_at_once)

    async def worker() -> None:
        while True:
            photo_id = await queue.get()
            try:
                await anyio.to_thread.run_sync(make_thumbnail, photo_id)
            finally:
                queue.task_done()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        workers = [asyncio.create_task(worker()) for _ in range(max_at_once)]
        yield
        for task in workers:
            task.cancel()

    app = FastAPI(title="photos", lifespan=lifespan)

    async def enqueue(photo_id: int) -> None:
        try:
            queue.put_nowait(photo_id)
        except asyncio.QueueFull:
            log.warning("thumbnail queue full, skipping photo %s", photo_id)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(enqueue, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
