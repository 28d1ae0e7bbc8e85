# expect: fail answers 202 at once, without waiting for the thumbnail
# The limiting is right, but the path parameter was declared `photo_id: str`, so the answer is {"photo_id": "7"} instead of {"photo_id": 7} and make_thumbnail gets a string: the answer is no longer as it was.
# Written from the exercise text alone.
from collections.abc import Callable

import anyio
import anyio.to_thread
from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    thumbnails = anyio.CapacityLimiter(max_at_once)

    async def make_thumbnail_limited(photo_id: str) -> None:
        await anyio.to_thread.run_sync(make_thumbnail, photo_id, limiter=thumbnails)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: str, background: BackgroundTasks) -> dict:
        # ids come from the URL, so keep them as they arrived
        background.add_task(make_thumbnail_limited, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
