"""Celery tasks of the organisation app: thin wrappers around its functions."""

import datetime

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation

from stations.models import Notification

#: how far back the sweep looks for notifications a lost task did not mail
SWEEP_WINDOW = datetime.timedelta(days=1)


@shared_task(ignore_result=True)
def email_notifications(notification_ids: list[int] | None = None) -> int:
    """Mail notifications not mailed yet to recipients with an address.

    Without ids (the beat sweep), every notification of the last day not
    mailed yet: one whose task was lost with the broker goes out late rather
    than never. Idempotent: a notification is mailed once, whoever runs the
    task again. Returns how many were sent.
    """
    if not settings.NOTIFY_BY_EMAIL:
        return 0
    pending = Notification.objects.filter(emailed_at__isnull=True)
    if notification_ids is None:
        pending = pending.filter(created_at__gte=timezone.now() - SWEEP_WINDOW)
    else:
        pending = pending.filter(pk__in=notification_ids)
    pending = pending.select_related("recipient__user")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for notification in pending:
            user = notification.recipient.user
            if user is None or not user.email:
                continue
            send_mail(
                subject=str(notification),
                message=settings.SITE_URL + notification.url,
                from_email=None,
                recipient_list=[user.email],
            )
            Notification.objects.filter(pk=notification.pk).update(
                emailed_at=timezone.now()
            )
            sent += 1
    return sent
