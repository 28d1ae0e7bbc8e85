"""Reference solution for accept_once: jobs in Redis, claimed once by key, resumed when an app starts."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Header, HTTPException, Response
from redis.asyncio import Redis

PENDING = "reports:pending"  # a set of the job ids whose report is not made yet


def create_app(store: Redis, make_report: Callable[[int], Awaitable[dict[str, Any]]]) -> FastAPI:
    """Return an app that accepts report requests and makes each report once, after the response.

    Args:
        store: An async Redis client with decode_responses=True, shared by every app on the same Redis.
        make_report: Makes one user's report; an async call that takes a while.
    """
    running: set[asyncio.Task[None]] = set()

    async def run(job_id: str, user_id: int) -> None:
        result = await make_report(user_id)
        async with store.pipeline(transaction=True) as pipe:  # done and no longer pending, both or neither
            pipe.hset(f"reports:job:{job_id}", mapping={"status": "done", "result": json.dumps(result)})
            pipe.srem(PENDING, job_id)
            await pipe.execute()

    def start(job_id: str, user_id: int) -> None:
        task = asyncio.create_task(run(job_id, user_id))
        running.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(running.discard)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        for job_id in await store.smembers(PENDING):  # accepted by an app that died before it finished
            start(job_id, int(await store.hget(f"reports:job:{job_id}", "user_id")))
        yield
        for task in running:
            task.cancel()

    app = FastAPI(title="reports", lifespan=lifespan)

    @app.post("/reports", status_code=202)
    async def create_report(user_id: int, response: Response, idempotency_key: str = Header()) -> dict:
        job_id = uuid.uuid4().hex
        await store.hset(f"reports:job:{job_id}", mapping={"status": "pending", "user_id": user_id})
        if await store.set(f"reports:key:{idempotency_key}", job_id, nx=True):  # the first with this key
            await store.sadd(PENDING, job_id)
            start(job_id, user_id)
        else:
            await store.delete(f"reports:job:{job_id}")
            job_id = await store.get(f"reports:key:{idempotency_key}")
        response.headers["Location"] = f"/jobs/{job_id}"
        return {"job_id": job_id}

    @app.get("/jobs/{job_id}")
    async def job(job_id: str) -> dict:
        stored = await store.hgetall(f"reports:job:{job_id}")
        if not stored:
            raise HTTPException(status_code=404)
        if stored["status"] == "done":
            return {"status": "done", "result": json.loads(stored["result"])}
        return {"status": "pending"}

    return app
