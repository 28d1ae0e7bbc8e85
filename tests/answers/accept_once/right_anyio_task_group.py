# expect: pass
# Writes the pending job and claims the key with SET NX GET in one MULTI (a loser deletes its spare job), runs reports in an anyio task group opened in the lifespan, and on startup re-runs every pending job whose key still points to it.
# Written from the exercise text alone.
"""Exercise accept_once: answer 202 at once, make each report exactly once, and lose no job."""

import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
from fastapi import FastAPI, Header, HTTPException, Request, Response
from redis.asyncio import Redis

PENDING = "jobs:pending"
logger = logging.getLogger(__name__)


def create_app(store: Redis, make_report: Callable[[int], Awaitable[dict[str, Any]]]) -> FastAPI:
    async def make(job_id: str, user_id: int) -> None:
        try:
            result = await make_report(user_id)
        except Exception:
            logger.exception("report %s failed; it stays pending for the next start", job_id)
            return
        async with store.pipeline(transaction=True) as pipe:
            pipe.hset(f"jobs:{job_id}", mapping={"status": "done", "result": json.dumps(result)})
            pipe.srem(PENDING, job_id)
            await pipe.execute()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        async with anyio.create_task_group() as tg:
            app.state.tg = tg
            for job_id in await store.smembers(PENDING):
                job = await store.hgetall(f"jobs:{job_id}")
                owner = await store.get(f"keys:{job.get('key')}")
                if job.get("status") == "pending" and owner == job_id:
                    tg.start_soon(make, job_id, int(job["user_id"]))
                else:
                    # a job that lost the race for its key, or one already done
                    await store.srem(PENDING, job_id)
            yield
            tg.cancel_scope.cancel()

    app = FastAPI(title="reports", lifespan=lifespan)

    @app.post("/reports", status_code=202)
    async def create_report(
        user_id: int, request: Request, response: Response, idempotency_key: str = Header()
    ) -> dict:
        job_id = uuid.uuid4().hex
        async with store.pipeline(transaction=True) as pipe:
            pipe.hset(f"jobs:{job_id}", mapping={"status": "pending", "user_id": user_id, "key": idempotency_key})
            pipe.sadd(PENDING, job_id)
            pipe.set(f"keys:{idempotency_key}", job_id, nx=True, get=True)
            *_, earlier = await pipe.execute()
        if earlier is not None:
            async with store.pipeline(transaction=True) as pipe:
                pipe.delete(f"jobs:{job_id}")
                pipe.srem(PENDING, job_id)
                await pipe.execute()
            job_id = earlier
        else:
            request.app.state.tg.start_soon(make, job_id, user_id)
        response.headers["Location"] = f"/jobs/{job_id}"
        return {"job_id": job_id}

    @app.get("/jobs/{job_id}")
    async def job(job_id: str) -> dict:
        data = await store.hgetall(f"jobs:{job_id}")
        if not data:
            raise HTTPException(status_code=404)
        if data["status"] == "done":
            return {"status": "done", "result": json.loads(data["result"])}
        return {"status": "pending"}

    return app
