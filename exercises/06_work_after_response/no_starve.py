"""Exercise no_starve: make thumbnails after the response without starving the thread pool.

The whole task, in your language: `task("no_starve")` in the notebook, or `perflab task no_starve`
in a terminal. `perflab check no_starve` checks this file.
"""

from collections.abc import Callable

from fastapi import BackgroundTasks, FastAPI


def create_app(make_thumbnail: Callable[[int], None], max_at_once: int) -> FastAPI:
    """Return an app that accepts photos and makes their thumbnails after the response.

    Args:
        make_thumbnail: Makes one photo's thumbnail; a blocking call that holds its thread.
        max_at_once: The most thumbnails that may be made at the same time.
    """
    app = FastAPI(title="photos")

    @app.post("/photos/{photo_id}", status_code=202)
    async def upload(photo_id: int, background: BackgroundTasks) -> dict:
        # TODO: a sync task holds a thread of the pool that the def routes share, 40 threads in all, for as
        # long as it runs: a burst of uploads takes them all, and GET /profile waits for a thumbnail.
        background.add_task(make_thumbnail, photo_id)
        return {"photo_id": photo_id}

    @app.get("/profile")
    def profile() -> dict:
        return {"name": "Ada"}

    return app
