"""Celery application, configured from Django settings (``CELERY_*`` keys)."""

import logging
import os

from celery import Celery
from django.db import InterfaceError, OperationalError

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "policing.settings")

app = Celery("policing")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

#: A lost database connection or a deadlock is worth retrying for a task
#: that is idempotent (a rerun replaces its period's rows, rebuilds its file
#: or checks its file again). A refused input is a ValidationError, not
#: retried.
RETRIED_ON_DATABASE_ERRORS = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": True,
    "retry_backoff_max": 10 * 60,
    "retry_jitter": True,
    "max_retries": 5,
}


def enqueue_on_commit(task, *args) -> None:
    """Send ``task`` once the current transaction commits, never failing the caller.

    The data is already committed when the task is sent, so a broker outage
    must not turn the request into an error: the failure is logged instead,
    and periodic sweeps recompute what was missed.
    """
    from django.db import transaction

    def send():
        try:
            task.delay(*args)
        except Exception:  # the broker's errors vary by transport
            logger.exception("Could not enqueue %s%r", task.name, args)

    transaction.on_commit(send)
