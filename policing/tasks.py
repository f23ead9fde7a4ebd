"""Celery tasks of the project package."""

from celery import shared_task

from policing import authentication, outbox


@shared_task(ignore_result=True)
def resend_pending_tasks() -> int:
    """Beat, every minute: send again the tasks writes needed and did not get."""
    return outbox.resend_pending()


@shared_task(ignore_result=True)
def purge_expired_tokens() -> int:
    """Beat, hourly: delete the API tokens past their expiry."""
    return authentication.purge_expired_tokens()
