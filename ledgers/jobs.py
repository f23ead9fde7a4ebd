"""An import's two steps as Celery jobs: check the file, then apply it.

:func:`upload` records the file and queues :func:`run_check` after commit;
the chief reads the per-row outcome, and :func:`confirm` queues
:func:`run_apply`, which applies the whole file in one transaction or
nothing. The tasks are thin wrappers over these functions. Without a broker
they run in-process at commit, so the page shows the outcome right away;
with one, the page polls :func:`progress`.

Progress lives in the cache, not in the job's row: the apply step holds its
transaction open until the last row, and a row updated inside it would stay
invisible to the page until the end.
"""

import logging

from django.core.cache import cache
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone, translation

from grids import national_id
from ledgers import map_files, sheets
from ledgers.base import LedgerFileError
from ledgers.models import LedgerEntity, LedgerImport, LedgerImportRow
from policing import spreadsheets
from policing.celery import enqueue_on_commit
from policing.middleware import audit_context
from policing.scope import scope_of
from stations.models import Bureau, Station

#: Largest file accepted: a 100,000-row ledger is a few megabytes.
MAX_FILE_BYTES = 30 * 1024 * 1024
PROGRESS_SECONDS = 24 * 3600
logger = logging.getLogger(__name__)
Status = LedgerImport.Status


def upload(*, user, entity: str, file_name: str, content: bytes, language: str):
    """Record an uploaded file and queue its check once the request commits."""
    from ledgers import tasks  # tasks import this module

    scope = scope_of(user)
    station = Station.objects.get(pk=scope.station_id) if scope.station_id else None
    job = LedgerImport.objects.create(
        entity=entity,
        file_name=file_name[:200],
        content=national_id.seal(content),
        language=language,
        bureau=station.bureau if station else Bureau.objects.get(pk=scope.bureau_id),
        station=station,
        requested_by=user,
    )
    set_progress(job.pk, 0)
    enqueue_on_commit(tasks.check_ledger_import, job.pk)
    return job


def confirm(job: LedgerImport, *, user) -> bool:
    """Queue the apply step of a checked import; False if it is not ready."""
    from ledgers import tasks

    updated = LedgerImport.objects.filter(pk=job.pk, status=Status.CHECKED).update(
        status=Status.APPLYING, applied_by=user
    )
    if updated:
        set_progress(job.pk, 0)
        enqueue_on_commit(tasks.apply_ledger_import, job.pk)
    return bool(updated)


def run_check(job: LedgerImport) -> LedgerImport:
    """Dry-run the file and store what each row would do.

    A job never stays "checking" (issue 27, item 8): a file that cannot be
    read is refused, any other failure marks the job failed with its reason.
    Only a database that is away (``OperationalError``) is raised again, for
    the task's retries; each failed attempt leaves the job failed until the
    next one starts.
    """
    jobs = LedgerImport.objects.filter(pk=job.pk)
    jobs.update(status=Status.CHECKING, error="")
    try:
        with translation.override(job.language):
            outcome = _run(job, dry_run=True)
        _store_check(job, outcome)
    except LedgerFileError as error:
        jobs.update(status=Status.REFUSED, error=str(error), checked_at=timezone.now())
    except (OperationalError, InterfaceError) as error:
        _fail(job, error)
        raise
    except Exception as error:
        logger.exception("Ledger import %s could not be checked", job.pk)
        _fail(job, error)
    set_progress(job.pk, 100)
    return _fresh(job)


def _store_check(job: LedgerImport, outcome) -> None:
    with transaction.atomic():
        LedgerImportRow.objects.filter(ledger_import=job).delete()
        LedgerImportRow.objects.bulk_create(
            (
                LedgerImportRow(
                    ledger_import=job,
                    number=row.number,
                    action=row.action,
                    key=row.key,
                    errors=row.errors,
                )
                for row in outcome.rows
            ),
            batch_size=2000,
        )
        LedgerImport.objects.filter(pk=job.pk).update(
            status=Status.REFUSED if outcome.has_errors else Status.CHECKED,
            totals=outcome.totals,
            warnings=outcome.warnings,
            checked_at=timezone.now(),
        )


def _fail(job: LedgerImport, error: Exception) -> None:
    """Mark the job failed with a reason the page can show."""
    reason = spreadsheets.clean(str(error))[:500]
    LedgerImport.objects.filter(pk=job.pk).update(
        status=Status.FAILED, error=reason or type(error).__name__
    )


def run_apply(job: LedgerImport) -> LedgerImport:
    """Apply the checked file as its confirmer, in one transaction."""
    jobs = LedgerImport.objects.filter(pk=job.pk)
    try:
        with (
            translation.override(job.language),
            audit_context(ledger_import=job.pk, user=job.applied_by_id),
        ):
            outcome = _run(job, dry_run=False)
    except Exception as error:
        _fail(job, error)
        set_progress(job.pk, 100)
        raise
    if outcome.has_errors:
        # The data changed since the check: nothing was written.
        jobs.update(
            status=Status.REFUSED,
            totals=outcome.totals,
            error=next(
                (
                    f"{row.number}: {error['message']}"
                    for row in outcome.rows
                    for error in row.errors
                ),
                "",
            ),
        )
    else:
        jobs.update(
            status=Status.APPLIED, totals=outcome.totals, applied_at=timezone.now()
        )
    set_progress(job.pk, 100)
    return _fresh(job)


def _run(job: LedgerImport, *, dry_run: bool):
    user = job.applied_by if not dry_run else job.requested_by
    content = national_id.unseal(bytes(job.content))

    def progress(done: int, total: int) -> None:
        set_progress(job.pk, round(100 * done / total) if total else 100)

    if job.entity == LedgerEntity.GRIDS:
        run = map_files.check if dry_run else map_files.apply
        return run(content, user=user, progress=progress)
    run = sheets.check if dry_run else sheets.apply
    return run(content, job.file_name, job.entity, user=user, progress=progress)


def _fresh(job: LedgerImport) -> LedgerImport:
    job.refresh_from_db()
    return job


def set_progress(job_id: int, percent: int) -> None:
    cache.set(f"ledger-import:{job_id}", percent, PROGRESS_SECONDS)


def progress(job_id: int) -> int | None:
    """The percentage done of the job's current step, None if unknown."""
    return cache.get(f"ledger-import:{job_id}")
