# expect: pass
# Uses a uuid5 of the Idempotency-Key as job id, creates the job and adds it to a Redis stream in one WATCH/MULTI, reads the stream with a consumer group in a lifespan worker, XACKs together with the "done" write, and at startup XAUTOCLAIMs the entries a dead server never acknowledged.
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
from redis.exceptions import ResponseError, WatchError

STREAM = "reports:stream"
GROUP = "reporters"


def create_app(store: Redis, make_report: Callable[[int], Awaitable[dict[str, Any]]]) -> FastAPI:
    consumer = f"app-{uuid.uuid4().hex}"
    tasks: set[asyncio.Task] = set()

    async def work(entry_id: str, job_id: str) -> None:
        job = await store.hgetall(f"report:{job_id}")
        if job.get("status") == "pending":
            result = await make_report(int(job["user_id"]))
            async with store.pipeline(transaction=True) as pipe:
                pipe.hset(f"report:{job_id}", mapping={"status": "done", "result": json.dumps(result)})
                pipe.xack(STREAM, GROUP, entry_id)
                await pipe.execute()
        else:
            await store.xack(STREAM, GROUP, entry_id)

    def spawn(entry_id: str, job_id: str) -> None:
        task = asyncio.create_task(work(entry_id, job_id))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    async def reader() -> None:
        while True:
            batches = await store.xreadgroup(GROUP, consumer, {STREAM: ">"}, count=50)
            if not batches:
                await asyncio.sleep(0.05)
                continue
            for _stream, entries in batches:
                for entry_id, fields in entries:
                    spawn(entry_id, fields["job_id"])

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            await store.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as e:
            if "BUSYGROUP" not in str(e):
                raise
        # Entries read by a server that died were never acknowledged: take them over.
        start = "0-0"
        while True:
            start, entries, *_ = await store.xautoclaim(STREAM, GROUP, consumer, min_idle_time=0, start_id=start)
            for entry_id, fields in entries:
                if fields:
                    spawn(entry_id, fields["job_id"])
            if start == "0-0":
                break
        reader_task = asyncio.create_task(reader())
        yield
        reader_task.cancel()
        for task in list(tasks):
            task.cancel()
        await asyncio.gather(reader_task, *tasks, return_exceptions=True)

    app = FastAPI(title="reports", lifespan=lifespan)

    @app.post("/reports")
    async def create_report(user_id: int, idempotency_key: str = Header()) -> JSONResponse:
        job_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"reports/{idempotency_key}"))
        key = f"report:{job_id}"
        async with store.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    if not await pipe.exists(key):
                        pipe.multi()
                        pipe.hset(key, mapping={"status": "pending", "user_id": user_id})
                        pipe.xadd(STREAM, {"job_id": job_id})
                        await pipe.execute()
                    break
                except WatchError:
                    continue
        return JSONResponse({"job_id": job_id}, status_code=202, headers={"Location": f"/jobs/{job_id}"})

    @app.get("/jobs/{job_id}")
    async def job(job_id: str) -> dict:
        data = await store.hgetall(f"report:{job_id}")
        if not data:
            raise HTTPException(status_code=404)
        if data["status"] == "done":
            return {"status": "done", "result": json.loads(data["result"])}
        return {"status": "pending"}

    return app
