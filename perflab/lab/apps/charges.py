"""A Celery app for worker processes of their own: ``celery -A perflab.lab.apps.charges worker``.

Its tasks charge an order, then take ``seconds`` more to send the receipt, and count in Redis, under
``perflab:``, how often each started, charged and finished. Messages are acknowledged late, and one
that is not acknowledged within ``VISIBILITY_S`` is handed to another worker. It needs ``REDIS_URL``:
a worker in another process cannot reach this kernel's memory.
"""

from __future__ import annotations

import os
import time

import redis

from perflab.lab.queues import PREFIX, celery_app

__all__ = ["VISIBILITY_S", "app", "charge", "charge_once", "counts"]

VISIBILITY_S = 1
app = celery_app("charges", task_acks_late=True, worker_prefetch_multiplier=1)
# A worker looks for overdue messages every second, not every 100 s (kombu's interval x throttle), and a
# worker killed while it held the restore lock holds it for 5 s, not 5 min: a second worker must find the
# first one's messages within the chapter's wait (ci35 timed out after 30 s once).
app.conf.broker_transport_options = {**app.conf.broker_transport_options, "visibility_timeout": VISIBILITY_S,
                                     "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
                                     "unacked_mutex_expire": 5}


def _store() -> redis.Redis:
    return redis.Redis.from_url(os.environ["REDIS_URL"], decode_responses=True)


def counts(order_id: str) -> dict[str, int]:
    """Return how often the task for ``order_id`` started, charged the card and finished.

    Args:
        order_id: The order.
    """
    with _store() as store:
        return {step: int(store.get(f"{PREFIX}{step}:{order_id}") or 0) for step in ("started", "charged", "finished")}


def _receipt(store: redis.Redis, order_id: str, seconds: float) -> None:
    time.sleep(seconds)  # render and send the receipt: the worker may die here, after the charge
    store.incr(f"{PREFIX}finished:{order_id}")


@app.task
def charge(order_id: str, seconds: float) -> None:
    """Charge the card for ``order_id``, then send the receipt.

    Args:
        order_id: The order.
        seconds: How long the receipt takes.
    """
    with _store() as store:
        store.incr(f"{PREFIX}started:{order_id}")
        store.incr(f"{PREFIX}charged:{order_id}")
        _receipt(store, order_id, seconds)


@app.task
def charge_once(order_id: str, seconds: float) -> None:
    """Charge the card for ``order_id`` only if no earlier delivery did, then send the receipt.

    Args:
        order_id: The order.
        seconds: How long the receipt takes.
    """
    with _store() as store:
        store.incr(f"{PREFIX}started:{order_id}")
        if store.set(f"{PREFIX}charge-key:{order_id}", 1, nx=True, ex=3600):  # the idempotency key
            store.incr(f"{PREFIX}charged:{order_id}")
        _receipt(store, order_id, seconds)
