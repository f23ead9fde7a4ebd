"""Celery tasks of the assessments app: thin wrappers over ``metrics``."""

from celery import shared_task

from assessments import metrics
from assessments.periods import IsoWeek
from stations.models import Person


@shared_task
def weekly_quotas(week: str, station_id: int | None = None) -> int:
    """Compute the quota rows of ``week`` (e.g. "2026-W47"); return their count.

    Cover the persons of station ``station_id``, or every person when it is
    None. Nothing is stored: quota snapshots come with a later issue, so the
    rows are computed and dropped, and only their number is returned.
    """
    persons = Person.objects.all()
    if station_id is not None:
        persons = persons.filter(station_id=station_id)
    return len(metrics.weekly_quotas(week=IsoWeek.parse(week), persons=persons))
