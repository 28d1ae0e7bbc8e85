"""Task queues a lesson runs inside the kernel: Celery with a real worker, and taskiq.

By default both keep their messages in this kernel's memory. With ``REDIS_URL`` set they use that
Redis instead, and every key they write starts with ``perflab:``, so that a learner's own keys are
never touched and :func:`purge_course_keys` can remove the course's alone.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import subprocess
import sys
import tempfile
from contextlib import AbstractContextManager
from typing import Any

import redis.asyncio as aioredis
from celery import Celery
from celery.contrib.testing.worker import TestWorkController, start_worker
from celery.worker.consumer import Consumer
from taskiq import AsyncBroker, InMemoryBroker
from taskiq_redis import ListQueueBroker

from perflab.serving.lifetime import die_with_parent, kill_tree

__all__ = ["PREFIX", "CeleryWorker", "WorkerProcess", "celery_app", "celery_worker", "purge_course_keys",
           "queue_backend", "stop_worker_processes", "taskiq_broker", "worker_process"]

PREFIX = "perflab:"


def queue_backend() -> str:
    """Return where the queues keep their messages: "redis" when ``REDIS_URL`` is set, else "memory"."""
    return "redis" if os.environ.get("REDIS_URL") else "memory"


def celery_app(name: str, **settings: Any) -> Celery:
    """Return a Celery app that speaks JSON only, on the in-memory broker or on ``REDIS_URL``.

    Args:
        name: Names the app and its queue, ``perflab-<name>``.
        **settings: More Celery settings, e.g. ``task_always_eager=True``.
    """
    url = os.environ.get("REDIS_URL")
    app = Celery(f"perflab-{name}", broker=url or "memory://", backend=url or "cache+memory://",
                 set_as_current=False)
    app.conf.update(task_serializer="json", result_serializer="json", accept_content=["json"],
                    result_accept_content=["json"], task_default_queue=f"perflab-{name}",
                    worker_hijack_root_logger=False, broker_connection_retry_on_startup=False)
    if url:  # every broker and result key under perflab:
        app.conf.broker_transport_options = {"global_keyprefix": PREFIX}
        app.conf.result_backend_transport_options = {"global_keyprefix": PREFIX}
    else:  # the memory transport polls its queue, once a second by default; Redis is told at once
        app.conf.broker_transport_options = {"polling_interval": 0.01}
    app.conf.update(settings)
    return app


class _LaterTasks(dict[str, Any]):
    """The worker's task handlers by name, made on first use for a task defined after the worker started."""

    def __init__(self, consumer: Consumer) -> None:
        super().__init__()
        self.consumer = consumer

    def __missing__(self, name: str) -> Any:
        task = self.consumer.app.tasks[name]  # NotRegistered, a KeyError, for a name no one defined
        self[name] = task.start_strategy(self.consumer.app, self.consumer)
        return self[name]


class _NotebookConsumer(Consumer):
    """Celery's consumer, which also runs the tasks that a later notebook cell defines."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.strategies = _LaterTasks(self)


class CeleryWorker:
    """A real Celery worker for one app, in a thread of this kernel, until :meth:`stop`."""

    def __init__(self, app: Celery) -> None:
        self.app = app
        self._quiet = logging.getLogger("celery")
        self._level = self._quiet.level
        self._quiet.setLevel(logging.CRITICAL)  # a failing task is read from its result, not from a log
        self._running: AbstractContextManager[TestWorkController] | None = start_worker(
            app, pool="solo", perform_ping_check=False, loglevel="CRITICAL", shutdown_timeout=10.0,
            consumer_cls=_NotebookConsumer)
        self._running.__enter__()

    @property
    def running(self) -> bool:
        """Whether the worker still takes messages."""
        return self._running is not None

    def stop(self) -> None:
        """Stop taking messages, finish the task at hand, and end the thread; safe to call twice."""
        running, self._running = self._running, None
        if running is not None:
            running.__exit__(None, None, None)
            self._quiet.setLevel(self._level)

    def __enter__(self) -> CeleryWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


_current: list[CeleryWorker] = []


def celery_worker(app: Celery) -> CeleryWorker:
    """Start a real Celery worker for ``app`` in a thread of this kernel; ``stop()`` ends it.

    The worker takes messages from the broker one at a time (``pool="solo"``), as a worker
    process does, and it runs tasks defined after it started. One runs at a time: starting another
    stops the last, so re-running a cell just works. It also works as ``with celery_worker(app):``.

    Args:
        app: The Celery app, e.g. from :func:`celery_app`.
    """
    while _current:
        _current.pop().stop()
    worker = CeleryWorker(app)
    _current.append(worker)
    return worker


class WorkerProcess:
    """A Celery worker in a process of its own, as in production: ``kill()`` ends it as a crash would."""

    def __init__(self, module: str, pool: str = "threads", concurrency: int = 2) -> None:
        self._log = tempfile.TemporaryFile()
        parent = os.getpid()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", module, "worker", f"--pool={pool}", f"--concurrency={concurrency}",
             "--loglevel=WARNING", "--without-heartbeat", "--without-mingle", "--without-gossip"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=lambda: die_with_parent(parent, signal.SIGKILL))  # no worker outlives the kernel

    @property
    def pid(self) -> int:
        """The worker's process id."""
        return self.process.pid

    def kill(self) -> None:
        """End the worker at once with SIGKILL: no task finishes, no message is acknowledged; safe to call twice."""
        kill_tree(self.process)
        self._log.close()

    def logs(self) -> str:
        """Return what the worker wrote so far."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")


_processes: list[WorkerProcess] = []


def worker_process(module: str) -> WorkerProcess:
    """Start a Celery worker process for the app in ``module``; :func:`stop_worker_processes` ends them all.

    Args:
        module: The app's module, e.g. ``"perflab.lab.apps.charges"``.
    """
    _processes.append(WorkerProcess(module))
    return _processes[-1]


def stop_worker_processes() -> None:
    """Kill every worker process this kernel started."""
    while _processes:
        _processes.pop().kill()


atexit.register(stop_worker_processes)


def taskiq_broker(name: str) -> AsyncBroker:
    """Return a taskiq broker: in this kernel's memory, or a Redis list ``perflab:<name>``.

    Args:
        name: Names the Redis list.
    """
    url = os.environ.get("REDIS_URL")
    return ListQueueBroker(url, queue_name=f"{PREFIX}{name}") if url else InMemoryBroker()


async def purge_course_keys(redis: aioredis.Redis) -> int:
    """Remove every key under ``perflab:`` with SCAN, and nothing else; return how many went.

    Args:
        redis: The client, e.g. ``redis_client()``.
    """
    gone = 0
    async for key in redis.scan_iter(match=f"{PREFIX}*", count=1000):
        gone += await redis.unlink(key)
    return gone
