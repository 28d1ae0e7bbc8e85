# expect: fail finishes, once, the job of a server that died or was stopped
# Writes the "done" mark in a finally block so a job never stays stuck, so when the server is stopped during make_report the cancelled job is marked done with result null and is never made.
# Written from the exercise text alone.
"""Exercise accept_once: answer 202 at once, make each report exactly once, and lose no job."""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from redis.exceptions import WatchError

PENDING = "reports:pending"


def create_app(store: Redis, make_report: Callable[[int], Awaitable[dict[str, Any]]]) -> FastAPI:
    background: set[asyncio.Task] = set()

    async def run_report(job_id: str, user_id: int) -> None:
        result = None
        try:
            result = await make_report(user_id)
        finally:
            # whatever happens, do not leave the job hanging in "pending"
            async with store.pipeline(transaction=True) as pipe:
                pipe.hset(f"job:{job_id}", mapping={"status": "done", "result": json.dumps(result)})
                pipe.srem(PENDING, job_id)
                await pipe.execute()

    def launch(job_id: str, user_id: int) -> None:
        task = asyncio.create_task(run_report(job_id, user_id))
        background.add(task)
        task.add_done_callback(background.discard)

    async def job_for_key(key: str, user_id: int) -> tuple[str, bool]:
        """The job of this Idempotency-Key, and whether this call created it."""
        idem = f"idem:{key}"
        async with store.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(idem)
                    existing = await pipe.get(idem)
                    if existing is not None:
                        return existing, False
                    job_id = uuid.uuid4().hex
                    pipe.multi()
                    pipe.set(idem, job_id)
                    pipe.hset(f"job:{job_id}", mapping={"status": "pending", "user_id": user_id})
                    pipe.sadd(PENDING, job_id)
                    await pipe.execute()
                    return job_id, True
                except WatchError:
                    continue  # someone else took the key meanwhile; read it again

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # finish what a server that died left pending
        for job_id in await store.smembers(PENDING):
            job = await store.hgetall(f"job:{job_id}")
            if job.get("status") == "pending":
                launch(job_id, int(job["user_id"]))
        yield
        for task in list(background):
            task.cancel()

    app = FastAPI(title="reports", lifespan=lifespan)

    @app.post("/reports")
    async def create_report(user_id: int, idempotency_key: str = Header()) -> JSONResponse:
        job_id, created = await job_for_key(idempotency_key, user_id)
        if created:
            launch(job_id, user_id)
        return JSONResponse({"job_id": job_id}, status_code=202, headers={"Location": f"/jobs/{job_id}"})

    @app.get("/jobs/{job_id}")
    async def job(job_id: str) -> dict:
        data = await store.hgetall(f"job:{job_id}")
        if not data:
            raise HTTPException(status_code=404)
        if data["status"] == "done":
            return {"status": "done", "result": json.loads(data["result"])}
        return {"status": "pending"}

    return app
