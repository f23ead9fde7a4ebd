"""Models of the project package: the outbox of tasks that writes still need."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PendingTask(models.Model):
    """A Celery task that a committed write still needs (the transactional outbox).

    :func:`policing.celery.enqueue_on_commit` creates it in the write's own
    transaction, so the need survives a broker that is down or loses the
    message; the task deletes it when it succeeds, and the beat sweep sends
    again the ones left over (SECURITY.md G-IN5).
    """

    task = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    #: when it was last handed to the broker, or first meant to be
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    #: how many times the sweep sent it again
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("pending task")
        verbose_name_plural = _("pending tasks")

    def __str__(self):
        return f"{self.task}{tuple(self.args)!r}"
