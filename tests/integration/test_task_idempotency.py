"""Every Celery task can run twice with the same arguments (SECURITY.md G-IN6).

A broker redelivers a message whose worker was lost (late acks), and the
outbox sweep sends again a task whose row is still there, so each task must
leave the same database state after a second run: no row counted twice.
"""

import datetime
import importlib
import io
from collections import Counter

import openpyxl
import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import models
from django.utils import timezone
from knox.models import AuthToken

from assessments.models import ReportJob
from ledgers import jobs
from ledgers.models import LedgerImport
from policing.celery import app
from policing.models import PendingTask
from policing.outbox import RESEND_AFTER
from policing.periods import IsoWeek, Month
from stations.models import Notification
from tests.integration.digests import LOCAL_APPS, table_digest

pytestmark = pytest.mark.django_db

#: fields a rerun may rewrite without counting anything twice
VOLATILE = {
    "computed_at": "the time of the run",
    "finished_at": "the time of the run",
    "checked_at": "the time of the run",
    "sent_at": "the sweep's last send",
    "attempts": "the sweep's count of sends",
}


def project_tasks() -> set[str]:
    """Return the names of the project's tasks, importing every tasks module."""
    for config in apps.get_app_configs():
        if config.name in LOCAL_APPS:
            try:
                importlib.import_module(f"{config.name}.tasks")
            except ModuleNotFoundError:
                continue
    return {name for name in app.tasks if name.split(".")[0] in LOCAL_APPS}


def digest() -> dict[str, Counter]:
    """Return each local table's rows as a multiset, less what a rerun rewrites.

    A row recreated by a rerun gets a new id; a row counted twice shows up as
    a count of 2.
    """
    return table_digest(leave_out=_rewritten_by_a_rerun)


def _rewritten_by_a_rerun(field: models.Field) -> bool:
    """Whether a rerun may change ``field`` without counting anything twice."""
    if field.name in VOLATILE:
        return True
    # A stored month is replaced as a whole, its rows with it: a link to it
    # changes with each run.
    return isinstance(field, models.ForeignKey) and (
        field.related_model._meta.label == "assessments.MonthlyAssessment"
    )


def households_sheet(grid) -> bytes:
    (lon, lat), _, (lon2, lat2), *_ = grid.boundary["coordinates"][0]
    book = openpyxl.Workbook()
    book.active.append(["标准地址", "网格编码", "经度", "纬度", "户内人数"])
    book.active.append(["幂等路1号", grid.code, (lon + lon2) / 2, (lat + lat2) / 2, 3])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ledger_job(world, *, checked: bool) -> LedgerImport:
    chief = world.users["chief_s"]
    job = jobs.upload(
        user=chief,
        entity="households",
        file_name="households.xlsx",
        content=households_sheet(world.grids["A"]),
        language="en",
    )
    if checked:
        jobs.run_check(job)
        job.refresh_from_db()
        assert jobs.confirm(job, user=chief)
    return job


def mailed_notification(world, settings):
    settings.NOTIFY_BY_EMAIL = True
    user = world.users["chief_s"]
    user.email = "chief@example.org"
    user.save()
    notification = Notification.objects.create(
        recipient=world.persons["chief_s"], kind="dispute_overdue", key="k", subject="s"
    )
    return [[notification.pk]]


def pending_relocation(world, settings):
    PendingTask.objects.create(
        task="grids.tasks.relocate_households",
        args=[[world.grids["A"].pk]],
        sent_at=timezone.now() - 2 * RESEND_AFTER,
    )
    return []


def expired_token(world, settings):
    instance, _key = AuthToken.objects.create(world.users["officer_a"])
    AuthToken.objects.filter(pk=instance.pk).update(
        expiry=timezone.now() - datetime.timedelta(minutes=1)
    )
    return []


#: task -> a function of (world, settings) returning the arguments to run with
CASES = {
    "assessments.tasks.weekly_quotas": lambda w, s: [str(IsoWeek.current())],
    "assessments.tasks.compute_monthly_assessment": lambda w, s: [
        w.bureaus["X"].pk,
        str(Month.current().previous()),
    ],
    "assessments.tasks.assess_previous_month": lambda w, s: [],
    "assessments.tasks.take_nightly_snapshots": lambda w, s: [],
    "assessments.tasks.refresh_interim_assessment": lambda w, s: [
        w.bureaus["X"].pk,
        str(Month.current()),
    ],
    "assessments.tasks.refresh_interim_assessments": lambda w, s: [],
    "assessments.tasks.build_report_file": lambda w, s: [
        ReportJob.objects.create(
            bureau=w.bureaus["X"],
            month=Month.current().previous().first_day,
            format=ReportJob.Format.XLSX,
            requested_by=w.users["bureau_x"],
        ).pk
    ],
    "grids.tasks.relocate_households": lambda w, s: [
        [w.grids["A"].pk, w.grids["B"].pk]
    ],
    "grids.tasks.check_ledger_import": lambda w, s: [ledger_job(w, checked=False).pk],
    "grids.tasks.apply_ledger_import": lambda w, s: [ledger_job(w, checked=True).pk],
    "stations.tasks.email_notifications": mailed_notification,
    "disputes.tasks.notify_overdue_disputes": lambda w, s: [],
    "policing.tasks.resend_pending_tasks": pending_relocation,
    "policing.tasks.purge_expired_tokens": expired_token,
}
#: tables whose content a rerun rewrites as a whole: compared without it
REBUILT_CONTENT = {
    # an xlsx file records the time it was written
    "assessments.tasks.build_report_file": {"assessments.ReportJob"},
}


def test_every_task_has_a_case():
    """A new task must say how it is run twice."""
    assert project_tasks() == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_second_run_changes_nothing(
    name, world, settings, mailoutbox, django_capture_on_commit_callbacks
):
    project_tasks()
    task = app.tasks[name]
    args = CASES[name](world, settings)

    # As in a worker, what a task queues at commit is sent (and run) then.
    with django_capture_on_commit_callbacks(execute=True):
        task.apply(args=args, throw=True)
    once = digest()
    mails = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        task.apply(args=args, throw=True)
    twice = digest()

    for label in REBUILT_CONTENT.get(name, ()):
        once[label] = sum(once[label].values())
        twice[label] = sum(twice[label].values())
    changed = sorted(label for label in once if once[label] != twice[label])
    assert changed == []
    assert len(mailoutbox) == mails  # nobody is mailed twice
    if name == "stations.tasks.email_notifications":
        assert mails == 1


def test_a_lost_worker_leaves_its_message_to_another():
    """Late acks, redelivery on a lost worker, and a visibility timeout to match."""
    options = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS
    longest = django_settings.CELERY_TASK_TIME_LIMIT
    assert options["visibility_timeout"] > 2 * longest
    for name in project_tasks():
        task = app.tasks[name]
        assert (name, task.acks_late, task.reject_on_worker_lost) == (name, True, True)
