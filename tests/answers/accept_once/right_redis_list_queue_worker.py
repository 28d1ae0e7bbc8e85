# expect: pass
# Claims the key with WATCH/MULTI and pushes the job id on a Redis list; a worker task started in the lifespan moves ids to a "working" list with LMOVE, makes each report and marks it done while removing it from "working", and at startup puts every id left in "working" back on the queue.
# Written from the exercise text alone.
"""Exercise accept_once: answer 202 at once, make each report exactly once, and lose no job."""

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI, Header, HTTPException
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from redis.exceptions import WatchError

QUEUE = "reports:queue"
WORKING = "reports:working"


def create_app(store: Redis, make_report: Callable[[int], Awaitable[dict[str, Any]]]) -> FastAPI:
    running: set[asyncio.Task] = set()

    async def handle(job_id: str) -> None:
        job = await store.hgetall(f"job:{job_id}")
        if job.get("status") != "pending":
            await store.lrem(WORKING, 0, job_id)
            return
        result = await make_report(int(job["user_id"]))
        async with store.pipeline(transaction=True) as pipe:
            pipe.hset(f"job:{job_id}", mapping={"status": "done", "result": json.dumps(result)})
            pipe.lrem(WORKING, 0, job_id)
            await pipe.execute()

    async def worker() -> None:
        while True:
            job_id = await store.lmove(QUEUE, WORKING, "RIGHT", "LEFT")
            if job_id is None:
                await asyncio.sleep(0.05)
                continue
            task = asyncio.create_task(handle(job_id))
            running.add(task)
            task.add_done_callback(running.discard)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        # Jobs a dead server was working on go back to the queue.
        while await store.lmove(WORKING, QUEUE, "RIGHT", "LEFT") is not None:
            pass
        worker_task = asyncio.create_task(worker())
        yield
        worker_task.cancel()
        for task in list(running):
            task.cancel()
        with suppress(asyncio.CancelledError):
            await worker_task
        await asyncio.gather(*running, return_exceptions=True)

    app = FastAPI(title="reports", lifespan=lifespan)

    @app.post("/reports")
    async def create_report(user_id: int, idempotency_key: str = Header()) -> JSONResponse:
        idem = f"idempotency:{idempotency_key}"
        async with store.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(idem)
                    job_id = await pipe.get(idem)
                    if job_id is None:
                        job_id = str(uuid.uuid4())
                        pipe.multi()
                        pipe.set(idem, job_id)
                        pipe.hset(f"job:{job_id}", mapping={"status": "pending", "user_id": user_id})
                        pipe.lpush(QUEUE, job_id)
                        await pipe.execute()
                    break
                except WatchError:
                    continue
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
