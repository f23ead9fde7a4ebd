"""Celery tasks of disputes: thin wrappers around the workflow."""

from celery import shared_task

from disputes import workflow


@shared_task(ignore_result=True)
def notify_overdue_disputes() -> int:
    """Beat: tell station chiefs of disputes whose time limit has passed."""
    return workflow.notify_overdue()
