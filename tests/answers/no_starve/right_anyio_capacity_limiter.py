# expect: pass
# One anyio.CapacityLimiter(max_at_once) per app; an async background task hands make_thumbnail to anyio.to_thread.run_sync with that limiter, so thumbnails run in worker threads without using tokens of the default 40-thread limiter that the def routes need.
# Written from the exercise text alone.
from collections.abc import Callable

import anyio
import anyio.to_thread
from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    # Made here, so every app gets its own limit. It holds only thumbnail threads.
    thumbnails = anyio.CapacityLimiter(max_at_once)

    async def make_thumbnail_limited(photo_id: int) -> None:
        # Waiting for a token happens on the event loop and costs no thread.
        await anyio.to_thread.run_sync(make_thumbnail, photo_id, limiter=thumbnails)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(make_thumbnail_limited, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
