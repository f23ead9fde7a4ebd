from celery import shared_task

from grids import ledger_jobs, services
from grids.models import LedgerImport
from policing.celery import RETRIED_ON_DATABASE_ERRORS


@shared_task
def relocate_households(grid_ids: list[int]) -> dict[str, int]:
    """Move households into the grids covering them after boundaries changed."""
    return services.relocate_households(grid_ids=grid_ids)


@shared_task(**RETRIED_ON_DATABASE_ERRORS)
def check_ledger_import(job_id: int) -> str:
    """Dry-run an uploaded ledger file (the import page's first step)."""
    job = LedgerImport.objects.select_related("requested_by").get(pk=job_id)
    return ledger_jobs.run_check(job).status


@shared_task(acks_late=True)
def apply_ledger_import(job_id: int) -> str:
    """Apply a checked ledger file in one transaction (the second step)."""
    job = LedgerImport.objects.select_related("applied_by").get(pk=job_id)
    if job.status != LedgerImport.Status.APPLYING:
        return job.status  # applied already: a redelivered message
    return ledger_jobs.run_apply(job).status
