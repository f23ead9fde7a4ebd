"""Celery tasks of the assessments app: thin wrappers over its functions."""

from celery import shared_task

from assessments import assessment, interim, metrics
from assessments.models import AssessmentStatus, MonthlyAssessment, ReportJob
from assessments.reports import jobs, snapshots
from policing.celery import RETRIED_ON_DATABASE_ERRORS, enqueue_on_commit
from policing.periods import IsoWeek, Month
from stations.models import Bureau, Person


@shared_task
def weekly_quotas(week: str, station_id: int | None = None) -> int:
    """Compute the quota rows of ``week`` (e.g. "2026-W47"); return their count.

    Cover the persons of station ``station_id``, or every person when it is
    None. Nothing is stored (``take_nightly_snapshots`` stores the weeks'
    figures); only the number of rows is returned.
    """
    persons = Person.objects.all()
    if station_id is not None:
        persons = persons.filter(station_id=station_id)
    return len(metrics.weekly_quotas(week=IsoWeek.parse(week), persons=persons))


@shared_task(**RETRIED_ON_DATABASE_ERRORS)
def compute_monthly_assessment(bureau_id: int, month: str) -> int:
    """Compute and store the assessment of ``month`` (e.g. "2026-10").

    Return the number of rows stored for bureau ``bureau_id``.
    """
    stored = assessment.store_month(
        Bureau.objects.get(pk=bureau_id), Month.parse(month)
    )
    return stored.rows.count()


@shared_task(ignore_result=True)
def assess_previous_month() -> int:
    """Beat, on the 1st: queue every bureau's assessment of the month just ended.

    Bureaus whose month is already published are skipped, as store_month
    would refuse them. Return the number of bureaus queued.
    """
    month = Month.current().previous()
    published = (
        MonthlyAssessment.objects.for_month(month)
        .filter(status=AssessmentStatus.PUBLISHED)
        .values("bureau")
    )
    bureau_ids = list(
        Bureau.objects.exclude(pk__in=published).values_list("pk", flat=True)
    )
    for bureau_id in bureau_ids:
        enqueue_on_commit(compute_monthly_assessment, bureau_id, str(month))
    return len(bureau_ids)


@shared_task(**RETRIED_ON_DATABASE_ERRORS)
def refresh_interim_assessment(bureau_id: int, month: str) -> int:
    """Recompute the running assessment of ``month`` the county page shows.

    Nothing to do once the month's assessment is stored. Return the number
    of rows kept.
    """
    bureau = Bureau.objects.get(pk=bureau_id)
    period = Month.parse(month)
    if MonthlyAssessment.objects.for_month(period).filter(bureau=bureau).exists():
        return 0
    return len(interim.refresh(bureau, period).rows)


@shared_task(ignore_result=True)
def refresh_interim_assessments() -> int:
    """Beat, every half hour: queue the current month's refresh for every bureau.

    Return the number of bureaus queued.
    """
    month = str(Month.current())
    bureau_ids = list(Bureau.objects.values_list("pk", flat=True))
    for bureau_id in bureau_ids:
        enqueue_on_commit(refresh_interim_assessment, bureau_id, month)
    return len(bureau_ids)


@shared_task(**RETRIED_ON_DATABASE_ERRORS)
def take_nightly_snapshots() -> dict[str, int]:
    """Beat, every night: store the weeks' quota and today's coverage figures."""
    return snapshots.take_nightly_snapshots()


@shared_task(**RETRIED_ON_DATABASE_ERRORS)
def build_report_file(job_id: int) -> str:
    """Build the file of a report job (the download page's "generate")."""
    job = ReportJob.objects.select_related("bureau").get(pk=job_id)
    return jobs.run_report_job(job).status
