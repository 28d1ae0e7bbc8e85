# expect: fail makes max_at_once thumbnails at a time, no more and no fewer
# One worker takes up to max_at_once queued photos, runs them together with asyncio.gather and waits for the whole batch before taking more, so a batch started with few photos (or one slow photo) leaves slots idle while other photos wait.
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable
from contextlib import asynccontextmanager

from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    queue: asyncio.Queue[int] = asyncio.Queue()

    async def batcher() -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < max_at_once and not queue.empty():
                batch.append(queue.get_nowait())
            await asyncio.gather(*(asyncio.to_thread(make_thumbnail, photo_id) for photo_id in batch))
            for _ in batch:
                queue.task_done()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        task = asyncio.create_task(batcher())
        yield
        task.cancel()

    app = FastAPI(title="photos", lifespan=lifespan)

    async def enqueue(photo_id: int) -> None:
        await queue.put(photo_id)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(enqueue, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
