"""A Celery app whose task outlives the broker's visibility timeout: ``celery -A perflab.lab.apps.overdue worker``.

Its worker stays healthy. Redis hands a message that is not acknowledged within ``VISIBILITY_S`` to a
worker again, and this app looks for such messages every second (kombu's ``unacked_restore_interval``),
so a task that runs longer than ``VISIBILITY_S`` starts again while its first run is still going. The
task is ``charges.charge`` under a name of this app, and it counts in the same keys. It needs ``REDIS_URL``.
"""

from __future__ import annotations

from perflab.lab.apps import charges
from perflab.lab.queues import celery_app

__all__ = ["VISIBILITY_S", "app", "charge"]

VISIBILITY_S = 1
app = celery_app("overdue", task_acks_late=True, worker_prefetch_multiplier=1)
app.conf.broker_transport_options = {**app.conf.broker_transport_options, "visibility_timeout": VISIBILITY_S,
                                     "unacked_restore_interval": 1, "unacked_restore_throttle": 1,
                                     "unacked_mutex_expire": 5}
charge = app.task(charges.charge.run, name="perflab.lab.apps.overdue.charge")
