# expect: fail answers 202 at once, without waiting for the thumbnail
# A pure ASGI middleware starts the limited thumbnail once the POST response is sent, but the route still adds the same limited task as a background task, so every photo's thumbnail is made twice (the limit itself still holds).
# Written from the exercise text alone.
import asyncio
from collections.abc import Callable

import anyio
import anyio.to_thread
from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    thumbnails = anyio.CapacityLimiter(max_at_once)
    pending: set[asyncio.Task] = set()

    async def make_thumbnail_limited(photo_id: int) -> None:
        await anyio.to_thread.run_sync(make_thumbnail, photo_id, limiter=thumbnails)

    def schedule(photo_id: int) -> None:
        task = asyncio.get_running_loop().create_task(make_thumbnail_limited(photo_id))
        pending.add(task)
        task.add_done_callback(pending.discard)

    class ThumbnailAfterResponse:
        """Starts the thumbnail when the whole 202 response has been sent."""

        def __init__(self, inner):
            self.inner = inner

        async def __call__(self, scope, receive, send):
            if scope["type"] != "http" or scope["method"] != "POST" or not scope["path"].startswith("/photos/"):
                await self.inner(scope, receive, send)
                return

            async def send_then_schedule(message):
                await send(message)
                if message["type"] == "http.response.body" and not message.get("more_body", False):
                    try:
                        schedule(int(scope["path"].rsplit("/", 1)[1]))
                    except ValueError:
                        pass

            await self.inner(scope, receive, send_then_schedule)

    app.add_middleware(ThumbnailAfterResponse)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(make_thumbnail_limited, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
