"""The models moved here from grids without a change to the database."""

import importlib

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType

from ledgers import tasks
from ledgers.models import LedgerExport, LedgerImport, LedgerImportRow

pytestmark = pytest.mark.django_db

content_types = importlib.import_module(
    "ledgers.migrations.0002_content_types_moved_from_grids"
)


def test_the_tables_keep_the_names_grids_gave_them():
    assert [
        m._meta.db_table for m in (LedgerImport, LedgerImportRow, LedgerExport)
    ] == [
        "grids_ledgerimport",
        "grids_ledgerimportrow",
        "grids_ledgerexport",
    ]


def test_the_export_logs_trigger_keeps_its_installed_id():
    """pgtrigger hashes the app label into the id; the installed one stays."""
    (trigger,) = LedgerExport._meta.triggers
    assert trigger.get_pgid(LedgerExport) == "pgtrigger_append_only_51e2d"


def test_the_tasks_keep_their_names_for_messages_already_queued():
    assert tasks.check_ledger_import.name == "grids.tasks.check_ledger_import"
    assert tasks.apply_ledger_import.name == "grids.tasks.apply_ledger_import"


def test_a_moved_content_type_keeps_its_permissions():
    """As on a database migrated under grids: its content type, with a
    permission granted through it, follows the model to ledgers."""
    ContentType.objects.filter(app_label="ledgers", model="ledgerexport").delete()
    old = ContentType.objects.create(app_label="grids", model="ledgerexport")
    permission = Permission.objects.create(
        content_type=old, codename="view_ledgerexport", name="Can view ledger export"
    )

    content_types.forwards(apps, None)

    permission.refresh_from_db()
    assert permission.content_type.app_label == "ledgers"
    assert permission.content_type.pk == old.pk
    content_types.backwards(apps, None)
    assert ContentType.objects.get(pk=old.pk).app_label == "grids"


def test_relabelling_again_leaves_a_taken_label_alone():
    """Run twice, or with both labels present, nothing clashes."""
    ContentType.objects.get_or_create(app_label="ledgers", model="ledgerimport")
    stale = ContentType.objects.create(app_label="grids", model="ledgerimport")

    content_types.forwards(apps, None)
    content_types.forwards(apps, None)

    assert ContentType.objects.get(pk=stale.pk).app_label == "grids"
