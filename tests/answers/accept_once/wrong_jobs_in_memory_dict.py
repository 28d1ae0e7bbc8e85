# expect: fail runs each key once across two apps that share the store
# Claims the key in Redis but keeps each job's status and result in a dict inside the app, so another app sharing the store answers 404 for the job (and a new app cannot show the result of a job it did not make).
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
    jobs: dict[str, dict[str, Any]] = {}

    async def run_report(job_id: str, user_id: int) -> None:
        jobs[job_id] = {"status": "pending"}
        result = await make_report(user_id)
        jobs[job_id] = {"status": "done", "result": result}
        await store.hdel(PENDING, job_id)

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
                    pipe.hset(PENDING, job_id, user_id)  # what to redo if we die
                    await pipe.execute()
                    return job_id, True
                except WatchError:
                    continue  # someone else took the key meanwhile; read it again

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # finish what a server that died left pending
        for job_id, user_id in (await store.hgetall(PENDING)).items():
            launch(job_id, int(user_id))
        yield
        for task in list(background):
            task.cancel()

    app = FastAPI(title="reports", lifespan=lifespan)

    @app.post("/reports")
    async def create_report(user_id: int, idempotency_key: str = Header()) -> JSONResponse:
        job_id, created = await job_for_key(idempotency_key, user_id)
        if created:
            jobs[job_id] = {"status": "pending"}
            launch(job_id, user_id)
        return JSONResponse({"job_id": job_id}, status_code=202, headers={"Location": f"/jobs/{job_id}"})

    @app.get("/jobs/{job_id}")
    async def job(job_id: str) -> dict:
        if job_id not in jobs:
            raise HTTPException(status_code=404)
        return jobs[job_id]

    return app
