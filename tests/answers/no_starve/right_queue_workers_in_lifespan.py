# expect: pass
# The lifespan starts max_at_once worker tasks that take photo ids from an asyncio.Queue and run make_thumbnail with anyio.to_thread.run_sync under the app's own CapacityLimiter; the upload's background task only puts the id on the queue, after the response.
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable
from contextlib import asynccontextmanager

import anyio
import anyio.to_thread
from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        queue: asyncio.Queue[int] = asyncio.Queue()
        own_threads = anyio.CapacityLimiter(max_at_once)  # not the default limiter of the def routes

        async def worker() -> None:
            while True:
                photo_id = await queue.get()
                try:
                    await anyio.to_thread.run_sync(make_thumbnail, photo_id, limiter=own_threads)
                except Exception:  # one bad photo must not kill the worker
                    pass
                finally:
                    queue.task_done()

        workers = [asyncio.create_task(worker()) for _ in range(max_at_once)]
        app.state.thumbnail_queue = queue
        try:
            yield
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    app = FastAPI(title="photos", lifespan=lifespan)

    async def enqueue(photo_id: int) -> None:
        await app.state.thumbnail_queue.put(photo_id)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(enqueue, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
