"""Celery application, configured from Django settings (``CELERY_*`` keys)."""

import os

from celery import Celery
from celery.signals import before_task_publish, task_success
from django.db import InterfaceError, OperationalError

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

    The need is recorded in the same transaction (policing.outbox), so a
    broker outage neither turns the request into an error nor loses the
    task: the beat sweep sends it again.
    """
    from policing import outbox

    outbox.enqueue_on_commit(task, *args)


@before_task_publish.connect
def _name_the_outbox_row(headers=None, **kwargs):
    from policing import outbox

    outbox.add_header(headers)


@task_success.connect
def _forget_done_task(sender=None, **kwargs):
    from policing import outbox

    outbox.done(sender.request)
