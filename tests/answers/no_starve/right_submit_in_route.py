# expect: pass
# The route submits make_thumbnail to a per-app ThreadPoolExecutor(max_at_once) and returns at once: the thumbnail may start a moment before the 202 is sent, but no response waits for it, the limit holds and the pool's threads stay free. Written as a wrong answer ('not after the response'); the task now asks only that no response waits.
# Written from the exercise text alone.
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from fastapi import FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    pool = ThreadPoolExecutor(max_workers=max_at_once, thread_name_prefix="thumbnail")

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int) -> dict:
        pool.submit(make_thumbnail, photo_id)  # returns at once; the pool makes it later
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
