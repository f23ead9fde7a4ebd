"""Building a monthly report file for the download page, with progress.

:func:`request_report` records the job and queues :func:`run_report_job`
after commit; the Celery task is a thin wrapper over it. Without a broker
the task runs in-process at commit, so the page shows the finished file
right away; with one, the page polls the job's progress.
"""

from django.db import transaction
from django.utils import timezone

from assessments.models import ReportJob
from assessments.reports import files, monthly
from policing.celery import enqueue_on_commit
from policing.periods import Month
from stations.models import Bureau

RENDERERS = {
    ReportJob.Format.XLSX: files.report_xlsx,
    ReportJob.Format.PDF: files.report_pdf,
}
MEDIA_TYPES = {
    ReportJob.Format.XLSX: (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    ),
    ReportJob.Format.PDF: "application/pdf",
}


def request_report(
    bureau: Bureau, month: Month, file_format: str, *, user
) -> ReportJob:
    """Record a report job and queue its building once the request commits."""
    from assessments import tasks  # tasks import this module

    job = ReportJob.objects.create(
        bureau=bureau, month=month.first_day, format=file_format, requested_by=user
    )
    enqueue_on_commit(tasks.build_report_file, job.pk)
    return job


def run_report_job(job: ReportJob) -> ReportJob:
    """Build the job's file, recording progress as the report advances.

    Progress is written with ``UPDATE`` statements outside any transaction,
    so the page sees it while the job runs. A failure is recorded on the
    job (the page says so) and raised again for Celery's log.
    """
    jobs = ReportJob.objects.filter(pk=job.pk)
    jobs.update(status=ReportJob.Status.RUNNING, steps_done=0, error="")

    def progress(done: int, total: int) -> None:
        jobs.update(steps_done=done, steps_total=total)

    try:
        data = monthly.monthly_report(job.bureau, job.period, progress=progress)
        content = RENDERERS[job.format](data)
    except Exception as error:
        jobs.update(
            status=ReportJob.Status.FAILED,
            error=str(error)[:500],
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        jobs.update(
            status=ReportJob.Status.DONE,
            content=content,
            finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job
