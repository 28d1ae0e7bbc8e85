"""Checks for ``accept_once``: 202 at once, each report made exactly once, and no job lost when a server dies.

The check serves the learner's apps on real in-kernel servers, each with its own client of one
fake Redis and its own counted ``make_report`` (``_reports``). Users, keys and report times are
drawn per run; the reports that finished are counted, not timed.
"""

from __future__ import annotations

import asyncio
import random
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx

from perflab.checking.checks._inprocess import body_of, build_app, where_learner_runs
from perflab.checking.checks._reports import (close_reports, cut_store, hold_app, kill_app, meet_apps, open_reports,
                                              release_app, report_counts, report_maker, slow_app, store_for)
from perflab.checking.engine import Check, CheckFailed, Namespace
from perflab.i18n import _, ngettext
from perflab.serving.kernel import Server, serve

__all__ = ["CHECKS"]

SIGNATURE = "def create_app(store, make_report) -> FastAPI"
SECONDS = (0.05, 0.15)  # how long a report takes, drawn per run
ANSWER_WITHIN_S = 2.0  # a POST while the report is held: a route that waits for the report never answers. The
# solution: a median of 10 ms and at most 0.27 s over 100 POSTs with a core busy, beside a test run.
DONE_WITHIN_S = 6.0  # from the last POST (or a new app's start) to a job's "done": the reports take 0.15 s at most
SETTLE_S = 0.4  # after the last job is done, how long a report made again (a retry, a resumed done job) may take
# to show: over twice the longest report
STOPPED_REPORT_S = 3.0  # a report running while its server is stopped: an app that cancels it leaves the job to
# the next app; one that waits for it (a drain) finishes it within Server.stop's 5 s
POLL_S = 0.02


class _Lab:
    """One check's fakes, and the apps it serves on them, each with a client."""

    def __init__(self, ns: Namespace, token: str, stack: AsyncExitStack) -> None:
        self.ns, self.token, self.stack = ns, token, stack
        self.servers: dict[str, Server] = {}

    async def start(self, app: str) -> httpx.AsyncClient:
        """Serve a new app named ``app`` on the shared store, and return a client of it."""
        store = await where_learner_runs(self.ns, store_for, self.token)
        make = await where_learner_runs(self.ns, report_maker, self.token, app)
        built = build_app(self.ns, "create_app", SIGNATURE, store, make)
        server = serve(built, name=f"check-accept-once-{app}", log_level="critical")
        self.stack.callback(server.stop, 1.0)
        self.servers[app] = server
        return await self.stack.enter_async_context(httpx.AsyncClient(base_url=server.url, timeout=10))

    async def kill(self, app: str) -> None:
        """Kill ``app`` mid-report: its reports never finish, and its Redis is cut until its server is gone."""
        await where_learner_runs(self.ns, kill_app, self.token, app)
        try:
            self.servers[app].kill()
        finally:
            await where_learner_runs(self.ns, cut_store, self.token, False)

    async def run(self, function: Any, *args: Any) -> Any:
        return await where_learner_runs(self.ns, function, self.token, *args)


@asynccontextmanager
async def _lab(ns: Namespace) -> AsyncIterator[_Lab]:
    token = secrets.token_hex(8)
    await where_learner_runs(ns, open_reports, token, random.uniform(*SECONDS), random.randrange(2**32))
    try:
        async with AsyncExitStack() as stack:
            yield _Lab(ns, token, stack)
    finally:
        await where_learner_runs(ns, close_reports, token)


def _draw_users(n: int) -> list[int]:
    return random.sample(range(1, 1_000_000), n)


def _shown(user: int, key: str) -> str:
    return f"POST /reports?user_id={user}, Idempotency-Key: {key}"


async def _post(client: httpx.AsyncClient, user: int, key: str) -> str:
    """POST a report request and return its job id, or fail if the answer is not 202 with an id and a Location."""
    response = await client.post("/reports", params={"user_id": user}, headers={"Idempotency-Key": key})
    body = body_of(response)
    job_id = body.get("job_id") if isinstance(body, dict) else None
    if response.status_code != 202 or set(body if isinstance(body, dict) else ()) != {"job_id"} \
            or type(job_id) not in (str, int) or job_id == "":
        raise CheckFailed(_("POST /reports must answer 202 with the job's id alone, as {\"job_id\": ...}."),
                          input=_shown(user, key), expected='202 {"job_id": "..."}',
                          actual=f"{response.status_code} {body}")
    location = urlsplit(response.headers.get("location", "")).path
    if location != f"/jobs/{job_id}":
        raise CheckFailed(_("The answer to POST /reports must have a Location header with the job's address."),
                          input=_shown(user, key), expected=f"Location: /jobs/{job_id}",
                          actual=f"Location: {response.headers.get('location', '-')}")
    return str(job_id)


async def _status(client: httpx.AsyncClient, job_id: str) -> tuple[int, Any]:
    response = await client.get(f"/jobs/{job_id}")
    return response.status_code, body_of(response)


async def _wait_done(client: httpx.AsyncClient, job_id: str) -> Any:
    """Poll ``GET /jobs/{job_id}`` until it is done, and return its result; fail on any other answer."""
    deadline = time.perf_counter() + DONE_WITHIN_S
    while True:
        status, body = await _status(client, job_id)
        if status == 200 and isinstance(body, dict) and body.get("status") == "done" and set(body) == {"status",
                                                                                                        "result"}:
            return body["result"]
        if (status, body) != (200, {"status": "pending"}):
            raise CheckFailed(_("GET /jobs/{job_id} must answer 200 with {\"status\": \"pending\"} until the "
                                "report is made, then {\"status\": \"done\", \"result\": ...}."),
                              input=f"GET /jobs/{job_id}", expected='200 {"status": "pending"} / {"status": "done", ...}',
                              actual=f"{status} {body}")
        if time.perf_counter() > deadline:
            raise CheckFailed(_("The job was never done: its report was not made, or not saved where GET "
                                "/jobs/{job_id} looks."), input=f"GET /jobs/{job_id}",
                              expected='{"status": "done", ...}', actual=_("still pending after {seconds:.0f} s",
                                                                        seconds=DONE_WITHIN_S))
        await asyncio.sleep(POLL_S)


def _same_job(ids: list[str], user: int, key: str) -> str:
    """Return the job id that the POSTs of one key got; fail if they got different jobs."""
    if len(set(ids)) != 1:
        raise CheckFailed(_("Requests with the same Idempotency-Key must get the same job."),
                          input=_("{n} × {request}", n=len(ids), request=_shown(user, key)),
                          expected=_("one job id"), actual=", ".join(sorted(set(ids))))
    return ids[0]


async def _made_once(lab: _Lab, results: dict[str, Any], jobs: dict[str, tuple[int, str]]) -> None:
    """Fail unless each job got exactly one finished report, its own, and nothing more was asked."""
    await asyncio.sleep(SETTLE_S)
    counts = await lab.run(report_counts)
    finished = Counter(user for _app, user, _result in counts["finished"])
    for job_id, (user, key) in jobs.items():
        mine = [result for _app, u, result in counts["finished"] if u == user]
        expected = sum(1 for u, _k in jobs.values() if u == user)
        if finished[user] != expected or results[job_id] not in mine:
            raise CheckFailed(_("Each job must have its report made exactly once, and show that report."),
                              input=_shown(user, key), expected=ngettext("{n} finished report for this user",
                                                                         "{n} finished reports for this user", expected),
                              actual=_("finished: {n}; GET /jobs shows {result}", n=finished[user],
                                       result=results[job_id]))
    if len({str(r) for r in results.values()}) != len(results):
        raise CheckFailed(_("Two different keys got the same report."), input=str(sorted(jobs.values())),
                          expected=_("one report per key"), actual=str(results))


async def accepts_at_once(ns: Namespace) -> None:
    async with _lab(ns) as lab:
        client = await lab.start("A")
        (user,), key = _draw_users(1), secrets.token_hex(6)
        await _post_held(lab, client, user, key)
        status, body = await _status(client, "0" + secrets.token_hex(8))
        if status != 404:
            raise CheckFailed(_("GET /jobs/{job_id} must answer 404 for an id it does not know."),
                              input="GET /jobs/<unknown>", expected="404", actual=f"{status} {body}")


async def _post_held(lab: _Lab, client: httpx.AsyncClient, user: int, key: str) -> tuple[str, int, Any]:
    """POST while A's reports are held, and GET the job still held; fail if the POST waits for its report."""
    await lab.run(hold_app, "A")
    try:
        job_id = await asyncio.wait_for(_post(client, user, key), ANSWER_WITHIN_S)
        return (job_id, *await _status(client, job_id))
    except asyncio.TimeoutError:
        raise CheckFailed(_("POST /reports waited for the report: it must answer 202 before the report is "
                            "made."), input=_shown(user, key), expected=_("202 at once"),
                          actual=_("no answer within {seconds:.0f} s", seconds=ANSWER_WITHIN_S)) from None
    finally:
        await lab.run(release_app, "A")


async def _held_status(lab: _Lab, client: httpx.AsyncClient, user: int, key: str) -> str:
    """POST while the reports are held, and fail unless the job shows as pending meanwhile."""
    job_id, status, body = await _post_held(lab, client, user, key)
    if (status, body) != (200, {"status": "pending"}):
        raise CheckFailed(_("Until its report is made, GET /jobs/{job_id} must answer 200 {\"status\": "
                            "\"pending\"}."), input=f"GET /jobs/{job_id}", expected='200 {"status": "pending"}',
                          actual=f"{status} {body}")
    return job_id


async def shows_pending_then_done(ns: Namespace) -> None:
    async with _lab(ns) as lab:
        client = await lab.start("A")
        (user,), key = _draw_users(1), secrets.token_hex(6)
        job_id = await _held_status(lab, client, user, key)
        await _made_once(lab, {job_id: await _wait_done(client, job_id)}, {job_id: (user, key)})


async def same_key_same_job(ns: Namespace) -> None:
    async with _lab(ns) as lab:
        client = await lab.start("A")
        (u1, u2), (k1, k2, k3) = _draw_users(2), [secrets.token_hex(6) for _ in range(3)]
        j1 = _same_job([await _post(client, u1, k1), await _post(client, u1, k1)], u1, k1)  # one after another
        at_once = random.randint(6, 10)
        j2 = _same_job(list(await asyncio.gather(*(_post(client, u2, k2) for _ in range(at_once)))), u2, k2)
        j3 = await _post(client, u1, k3)  # the same user with a new key: a new report
        if j3 == j1:
            raise CheckFailed(_("A new Idempotency-Key must get a new job, even for the same user."),
                              input=_shown(u1, k3), expected=_("a job other than {job}", job=j1), actual=j3)
        results = {job: await _wait_done(client, job) for job in (j1, j2, j3)}
        _same_job([j1, await _post(client, u1, k1)], u1, k1)  # after it is done, too
        await _made_once(lab, results, {j1: (u1, k1), j2: (u2, k2), j3: (u1, k3)})


async def two_apps_one_job(ns: Namespace) -> None:
    async with _lab(ns) as lab:
        a, b = await lab.start("A"), await lab.start("B")
        (u1, u2, u3), (k1, k2, k3) = _draw_users(3), [secrets.token_hex(6) for _ in range(3)]
        await lab.run(meet_apps, 2)  # the two apps' commands reach Redis together, as at one moment
        try:
            j1 = _same_job(list(await asyncio.gather(_post(a, u1, k1), _post(b, u1, k1))), u1, k1)
        finally:
            await lab.run(meet_apps, 0)
        n = random.randint(2, 4)
        j3 = _same_job(list(await asyncio.gather(*(_post(c, u3, k3) for c in [a, b] * n))), u3, k3)
        j2 = await _post(a, u2, k2)
        results = {j1: await _wait_done(a, j1), j2: await _wait_done(b, j2), j3: await _wait_done(a, j3)}
        _same_job([j2, await _post(b, u2, k2)], u2, k2)  # B shows, and keeps, the job A accepted
        await _made_once(lab, results, {j1: (u1, k1), j2: (u2, k2), j3: (u3, k3)})


async def survives_a_dead_server(ns: Namespace) -> None:
    async with _lab(ns) as lab:
        a = await lab.start("A")
        (u1, u2, u3), (k1, k2, k3) = _draw_users(3), [secrets.token_hex(6) for _ in range(3)]
        j1 = await _post(a, u1, k1)
        done = {j1: await _wait_done(a, j1)}
        await lab.run(hold_app, "A")
        j2 = await _post(a, u2, k2)
        await _report_started(lab, u2, _shown(u2, k2))
        await lab.kill("A")
        b = await lab.start("B")
        done[j2] = await _wait_done(b, j2)
        _same_job([j2, await _post(b, u2, k2)], u2, k2)
        _same_job([j1, await _post(b, u1, k1)], u1, k1)
        await lab.run(slow_app, "B", STOPPED_REPORT_S)
        j3 = await _post(b, u3, k3)
        await _report_started(lab, u3, _shown(u3, k3))
        lab.servers["B"].stop()  # a deploy: uvicorn's graceful shutdown, lifespan and all
        done[j3] = await _wait_done(await lab.start("C"), j3)
        await _made_once(lab, done, {j1: (u1, k1), j2: (u2, k2), j3: (u3, k3)})


async def _report_started(lab: _Lab, user: int, shown: str) -> None:
    deadline = time.perf_counter() + DONE_WITHIN_S
    while not any(u == user for _app, u in (await lab.run(report_counts))["calls"]):
        if time.perf_counter() > deadline:
            raise CheckFailed(_("The report of an accepted job never started."), input=shown,
                              expected=f"make_report({user})", actual=_("no call in {seconds:.0f} s",
                                                                        seconds=DONE_WITHIN_S))
        await asyncio.sleep(POLL_S)


CHECKS = [
    Check("answers 202 with the job's address before the report is made", accepts_at_once, timeout_s=20.0),
    Check("shows the job pending, then done with its report", shows_pending_then_done, timeout_s=20.0),
    Check("gives a repeated Idempotency-Key the same job, and makes its report once", same_key_same_job,
          timeout_s=30.0),
    Check("runs each key once across two apps that share the store", two_apps_one_job, timeout_s=30.0),
    Check("finishes, once, the job of a server that died or was stopped", survives_a_dead_server, timeout_s=40.0),
]
