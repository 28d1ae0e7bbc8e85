# expect: pass
# Derives the job id from a hash of the Idempotency-Key, creates the job with HSETNX inside one MULTI so only the first request wins, runs make_report with FastAPI BackgroundTasks, and at startup scans the store for jobs still "pending" and runs them again.
# Written from the exercise text alone.
"""Exercise accept_once: answer 202 at once, make each report exactly once, and lose no job."""

import asyncio
import hashlib
import json
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import BackgroundTasks, FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse
from redis.asyncio import Redis


def job_key(job_id: str) -> str:
    return f"report-job:{job_id}"


def create_app(store: Redis, make_report: Callable[[int], Awaitable[dict[str, Any]]]) -> FastAPI:
    resumed: set[asyncio.Task] = set()

    async def finish(job_id: str, user_id: int) -> None:
        result = await make_report(user_id)
        await store.hset(job_key(job_id), mapping={"status": "done", "result": json.dumps(result)})

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async for key in store.scan_iter(match=job_key("*")):
            job = await store.hgetall(key)
            if job.get("status") == "pending":
                job_id = key.removeprefix(job_key(""))
                task = asyncio.create_task(finish(job_id, int(job["user_id"])))
                resumed.add(task)
                task.add_done_callback(resumed.discard)
        yield
        for task in list(resumed):
            task.cancel()

    app = FastAPI(title="reports", lifespan=lifespan)

    @app.post("/reports")
    async def create_report(
        user_id: int, background_tasks: BackgroundTasks, idempotency_key: str = Header()
    ) -> JSONResponse:
        # The same key always gives the same job id, on every server.
        job_id = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
        async with store.pipeline(transaction=True) as pipe:
            pipe.hsetnx(job_key(job_id), "status", "pending")
            pipe.hsetnx(job_key(job_id), "user_id", user_id)
            created, _ = await pipe.execute()
        if created:
            background_tasks.add_task(finish, job_id, user_id)
        return JSONResponse(
            {"job_id": job_id},
            status_code=202,
            headers={"Location": f"/jobs/{job_id}"},
            background=background_tasks,
        )

    @app.get("/jobs/{job_id}")
    async def job(job_id: str) -> dict:
        data = await store.hgetall(job_key(job_id))
        if not data:
            raise HTTPException(status_code=404)
        if data.get("status") == "done":
            return {"status": "done", "result": json.loads(data["result"])}
        return {"status": "pending"}

    return app
