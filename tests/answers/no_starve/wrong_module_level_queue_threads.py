# expect: fail makes max_at_once thumbnails at a time, no more and no fewer
# Each app starts max_at_once daemon worker threads, but they all read one module-level queue.Queue of (make_thumbnail, photo_id) jobs, so with two apps alive one app's photos can be made by the other app's threads too: max_at_once does not hold per app.
# Written from the exercise text alone.
import queue
import threading
from collections.abc import Callable

from fastapi import BackgroundTasks, FastAPI

_jobs: "queue.Queue[tuple[Callable[[int], None], int]]" = queue.Queue()


def _worker() -> None:
    while True:
        make_thumbnail, photo_id = _jobs.get()
        try:
            make_thumbnail(photo_id)
        except Exception:
            pass
        finally:
            _jobs.task_done()


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    app = FastAPI(title="photos")
    for n in range(max_at_once):
        threading.Thread(target=_worker, name=f"thumbnail-{n}", daemon=True).start()

    async def enqueue(photo_id: int) -> None:
        _jobs.put_nowait((make_thumbnail, photo_id))

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        background.add_task(enqueue, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
