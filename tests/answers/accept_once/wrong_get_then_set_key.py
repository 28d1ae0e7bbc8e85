# expect: fail gives a repeated Idempotency-Key the same job, and makes its report once
# Looks the Idempotency-Key up with GET and, if missing, writes the job and then SETs the key, so two repeats sent at the same moment both see no key and both make the report.
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

PENDING = "reports:pending"


def create_app(store: Redis, make_report: Callable[[int], Awaitable[dict[str, Any]]]) -> FastAPI:
    background: set[asyncio.Task] = set()

    async def run_report(job_id: str, user_id: int) -> None:
        result = await make_report(user_id)
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
        existing = await store.get(idem)
        if existing is not None:
            return existing, False
        job_id = uuid.uuid4().hex
        await store.hset(f"job:{job_id}", mapping={"status": "pending", "user_id": user_id})
        await store.sadd(PENDING, job_id)
        await store.set(idem, job_id)
        return job_id, True

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
