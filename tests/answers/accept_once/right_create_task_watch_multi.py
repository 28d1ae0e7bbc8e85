# expect: pass
# Claims the Idempotency-Key and writes the pending job in one WATCH/MULTI transaction, runs make_report with asyncio.create_task (tasks kept in a set), writes "done" plus the result and drops the id from a pending set in one MULTI, and resumes every pending job from the lifespan.
# Written from the exercise text alone.
"""Exercise accept_once: answer 202 at once, make each report exactly once, and lose no job."""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Response
from redis.asyncio import Redis
from redis.exceptions import WatchError

PENDING = "reports:pending"


def create_app(store: Redis, make_report: Callable[[int], Awaitable[dict[str, Any]]]) -> FastAPI:
    tasks: set[asyncio.Task] = set()

    async def run_job(job_id: str, user_id: int) -> None:
        result = await make_report(user_id)
        async with store.pipeline(transaction=True) as pipe:
            pipe.hset(f"job:{job_id}", mapping={"status": "done", "result": json.dumps(result)})
            pipe.srem(PENDING, job_id)
            await pipe.execute()

    def start(job_id: str, user_id: int) -> None:
        task = asyncio.create_task(run_job(job_id, user_id))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def claim(key: str, user_id: int) -> tuple[str, bool]:
        """Return (job_id, created) for this key, atomically."""
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
                    continue

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        for job_id in await store.smembers(PENDING):
            job = await store.hgetall(f"job:{job_id}")
            if job.get("status") == "pending":
                start(job_id, int(job["user_id"]))
        yield
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    app = FastAPI(title="reports", lifespan=lifespan)

    @app.post("/reports", status_code=202)
    async def create_report(user_id: int, response: Response, idempotency_key: str = Header()) -> dict:
        job_id, created = await claim(idempotency_key, user_id)
        if created:
            start(job_id, user_id)
        response.headers["Location"] = f"/jobs/{job_id}"
        return {"job_id": job_id}

    @app.get("/jobs/{job_id}")
    async def job(job_id: str) -> dict:
        data = await store.hgetall(f"job:{job_id}")
        if not data:
            raise HTTPException(status_code=404)
        if data["status"] == "done":
            return {"status": "done", "result": json.loads(data["result"])}
        return {"status": "pending"}

    return app
