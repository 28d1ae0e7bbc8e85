"""Exercise no_starve, solved: the thumbnails run in threads under a limiter of their own."""

from collections.abc import Callable

import anyio
import anyio.to_thread
from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    """Return an app that accepts photos and makes their thumbnails after the response.

    Args:
        make_thumbnail: Makes one photo's thumbnail; a blocking call that holds its thread.
        max_at_once: The most thumbnails that may be made at the same time.
    """
    app = FastAPI(title="photos")
    thumbnails = anyio.CapacityLimiter(max_at_once)  # one per app: the thumbnails' own tokens, not the pool's 40

    async def thumbnail(photo_id: int) -> None:
        await anyio.to_thread.run_sync(make_thumbnail, photo_id, limiter=thumbnails)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(thumbnail, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
