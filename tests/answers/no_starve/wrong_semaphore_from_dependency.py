# expect: fail makes max_at_once thumbnails at a time, no more and no fewer
# The asyncio.Semaphore(max_at_once) comes from a FastAPI dependency, and FastAPI calls a dependency again for every request, so each upload gets its own fresh semaphore and nothing limits how many thumbnails run at once.
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable
from typing import Annotated

from fastapi import BackgroundTasks, Depends, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")

    def thumbnail_slots() -> asyncio.Semaphore:
        return asyncio.Semaphore(max_at_once)

    async def thumbnail_when_free(photo_id: int, slots: asyncio.Semaphore) -> None:
        async with slots:
            await asyncio.get_running_loop().run_in_executor(None, make_thumbnail, photo_id)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(
        photo_id: int,
        background: BackgroundTasks,
        slots: Annotated[asyncio.Semaphore, Depends(thumbnail_slots)],
    ) -> dict:
        background.add_task(thumbnail_when_free, photo_id, slots)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
