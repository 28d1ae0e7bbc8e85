# expect: fail keeps GET /profile answering during a burst
# The lifespan shrinks anyio's default thread limiter to max_at_once and keeps the sync background task: at most max_at_once thumbnails run, but the def route /profile shares that same small limiter and waits behind the whole queue of thumbnails.
# Written from the exercise text alone.
from collections.abc import Callable
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # The pool has 40 threads by default; limit it so that only max_at_once thumbnails run.
        limiter = anyio.to_thread.current_default_thread_limiter()
        old = limiter.total_tokens
        limiter.total_tokens = max_at_once
        yield
        limiter.total_tokens = old

    app = FastAPI(title="photos", lifespan=lifespan)

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(make_thumbnail, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
