"""Telling staff what needs them: an in-app list, and e-mail when configured."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone

from policing.celery import enqueue_on_commit
from stations.models import Notification, Person


def notify(
    recipients: Iterable[Person],
    *,
    kind: str,
    key: str,
    subject: str,
    url: str = "",
    at: datetime.datetime | None = None,
) -> list[Notification]:
    """Tell each recipient of the occasion ``key``, once; return the new ones.

    ``at`` is when the occasion arose (default now). Mail goes out after the
    transaction commits, so a rolled-back change sends nothing and a dead
    mail server fails nothing.
    """
    created = []
    for person in recipients:
        notification, is_new = Notification.objects.get_or_create(
            recipient=person,
            key=key,
            defaults={
                "kind": kind,
                "subject": subject[:200],
                "url": url,
                "occurred_at": at or timezone.now(),
            },
        )
        if is_new:
            created.append(notification)
    if created and settings.NOTIFY_BY_EMAIL:
        from stations.tasks import email_notifications

        enqueue_on_commit(email_notifications, [n.pk for n in created])
    return created


def station_chiefs(station_id: int):
    """Return the chiefs of a station who can log in."""
    return Person.objects.filter(
        station_id=station_id, is_chief=True, user__is_active=True
    )
