"""Exercise accept_once: answer 202 at once, make each report exactly once, and lose no job.

The whole task, in your language: `task("accept_once")` in the notebook, or `perflab task accept_once`
in a terminal. `perflab check accept_once` checks this file.
"""

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Header, HTTPException
from redis.asyncio import Redis


def create_app(store: Redis, make_report: Callable[[int], Awaitable[dict[str, Any]]]) -> FastAPI:
    """Return an app that accepts report requests and makes each report once, after the response.

    Args:
        store: An async Redis client with decode_responses=True, shared by every app on the same Redis.
        make_report: Makes one user's report; an async call that takes a while.
    """
    app = FastAPI(title="reports")

    @app.post("/reports")
    async def create_report(user_id: int, idempotency_key: str = Header()) -> dict:
        # TODO: the client waits for the whole report, and a retry with the same Idempotency-Key makes it again.
        # Answer 202 with a job id and a Location at once, keep the job in `store`, and make the report once.
        report = await make_report(user_id)
        return {"status": "done", "result": report}

    @app.get("/jobs/{job_id}")
    async def job(job_id: str) -> dict:
        # TODO: answer the job's status from `store`.
        raise HTTPException(status_code=404)

    return app
