"""The outbox of Celery tasks: no task a committed write needs is ever lost.

A write that needs a task records a :class:`~policing.models.PendingTask` in
its own transaction and sends the task after commit; the task deletes the
row when it succeeds. If the broker is down, hung or loses the message, the
row stays, and the beat sweep :func:`resend_pending` sends it again once
the broker is back (SECURITY.md G-IN5). The tasks are idempotent, so a
task sent twice does its work once (G-IN6).

A request never waits long on the broker: sending has no retries and short
timeouts (settings), and after a failure this process stops trying for
:data:`BROKER_PAUSE_SECONDS`, leaving the rows to the sweep (G-IN4).
"""

import contextvars
import datetime
import logging
import time

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from policing.models import PendingTask

logger = logging.getLogger(__name__)

#: the message header naming the outbox row a task message carries out
HEADER = "pending_task"
#: a row not done this long after it was sent is sent again by the sweep
RESEND_AFTER = datetime.timedelta(minutes=1)
#: a task that failed this many times is left for a person to look at
MAX_ATTEMPTS = 10
#: rows the sweep sends at most per run, oldest first
SWEEP_BATCH = 500
#: after a failed send, how long this process leaves sending to the sweep
BROKER_PAUSE_SECONDS = 30.0

_paused_until = 0.0
#: the outbox row of the task being sent by this thread, for add_header()
_sending: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "pending_task", default=None
)


def enqueue_on_commit(task, *args) -> PendingTask:
    """Record that ``task(*args)`` is needed, and send it once the write commits.

    Never fails the caller: the data is already committed when the task is
    sent, and a send that fails leaves the row to the sweep.
    """
    pending = PendingTask.objects.create(task=task.name, args=list(args))
    transaction.on_commit(lambda: send(task, pending.args, pending.pk))
    return pending


def send(task, args: list, pending_id: int) -> bool:
    """Hand ``task`` to the broker for row ``pending_id``; False if that failed.

    Without a broker (eager mode) the task runs here, and an exception is
    the task's own failure, logged like a broker's.
    """
    global _paused_until
    eager = task.app.conf.task_always_eager
    if not eager and time.monotonic() < _paused_until:
        return False
    token = _sending.set(pending_id)
    try:
        task.delay(*args)  # add_header() names the row in the message
    except Exception:  # the broker's errors vary by transport
        if not eager:
            _paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.exception("Could not send %s%r; the sweep will", task.name, args)
        return False
    finally:
        _sending.reset(token)
    if eager:  # it ran here and succeeded: no message, no header
        PendingTask.objects.filter(pk=pending_id).delete()
    return True


def add_header(headers: dict) -> None:
    """Name the outbox row being sent in the message's headers."""
    pending_id = _sending.get()
    if pending_id is not None:
        headers[HEADER] = pending_id


def resume_sending() -> None:
    """Forget an earlier failure: the next send tries the broker again."""
    global _paused_until
    _paused_until = 0.0


def done(request) -> None:
    """Delete the outbox row of a task that has just succeeded."""
    pending_id = getattr(request, HEADER, None) or (request.headers or {}).get(HEADER)
    if pending_id is not None:
        PendingTask.objects.filter(pk=pending_id).delete()


def resend_pending(now: datetime.datetime | None = None) -> int:
    """Send again the tasks not done a minute after they were sent.

    Oldest first, at most :data:`SWEEP_BATCH`; stops at the first failed
    send (the broker is still away). Return how many were sent.
    """
    from policing.celery import app

    now = now or timezone.now()
    due = PendingTask.objects.filter(
        sent_at__lte=now - RESEND_AFTER, attempts__lt=MAX_ATTEMPTS
    ).order_by("pk")[:SWEEP_BATCH]
    sent = 0
    for pending in due:
        task = app.tasks.get(pending.task)
        if task is None:
            logger.error("Pending task %s is unknown to this worker", pending)
            continue
        # Counted before sending: an eager task deletes its row as it runs.
        PendingTask.objects.filter(pk=pending.pk).update(
            sent_at=now, attempts=F("attempts") + 1
        )
        if send(task, pending.args, pending.pk):
            sent += 1
        elif not app.conf.task_always_eager:
            break
    return sent
