# expect: fail answers 202 at once, without waiting for the thumbnail
# The upload route itself awaits the limited thread call and only then returns 202, so the thumbnail is made before the response: during a burst each POST waits for a free slot and its thumbnail, instead of answering at once.
# Written from the exercise text alone.
from collections.abc import Callable

import anyio
import anyio.to_thread
from fastapi import FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    thumbnails = anyio.CapacityLimiter(max_at_once)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int) -> dict:
        # Awaiting frees the event loop, so other requests go on while this thumbnail is made.
        await anyio.to_thread.run_sync(make_thumbnail, photo_id, limiter=thumbnails)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
