from celery import shared_task

from ledgers import jobs
from ledgers.models import LedgerImport
from policing.celery import RETRIED_ON_DATABASE_ERRORS

# The tasks keep the names they had in grids/tasks.py: a message queued
# before the move (or a row of the outbox) names the task, and a worker
# must still find it.


@shared_task(name="grids.tasks.check_ledger_import", **RETRIED_ON_DATABASE_ERRORS)
def check_ledger_import(job_id: int) -> str:
    """Dry-run an uploaded ledger file (the import page's first step)."""
    job = LedgerImport.objects.select_related("requested_by").get(pk=job_id)
    return jobs.run_check(job).status


@shared_task(name="grids.tasks.apply_ledger_import", acks_late=True)
def apply_ledger_import(job_id: int) -> str:
    """Apply a checked ledger file in one transaction (the second step)."""
    job = LedgerImport.objects.select_related("applied_by").get(pk=job_id)
    if job.status != LedgerImport.Status.APPLYING:
        return job.status  # applied already: a redelivered message
    return jobs.run_apply(job).status
