# expect: fail answers 202 at once, without waiting for the thumbnail
# An @app.middleware("http") makes the thumbnail after `await call_next(request)`, believing that is after the response; but the client gets the response only when the middleware returns, so each POST waits for a slot and its thumbnail.
# Written from the exercise text alone.
from collections.abc import Callable

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    thumbnails = anyio.CapacityLimiter(max_at_once)

    @app.middleware("http")
    async def thumbnail_after_upload(request: Request, call_next):
        response = await call_next(request)
        if request.method == "POST" and response.status_code == 202:
            photo_id = int(request.path_params["photo_id"])
            await anyio.to_thread.run_sync(make_thumbnail, photo_id, limiter=thumbnails)
        return response

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int) -> dict:
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
