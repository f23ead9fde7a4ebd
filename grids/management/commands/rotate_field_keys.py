"""Re-encrypt every stored national ID under the active key (SECURITY.md G-PII1).

Rotation: put the new key first in ``FIELD_ENCRYPTION_KEYS`` and keep the
old ones after it, deploy, run this command, then drop the old keys. Rows
already under the active key are left alone, so the command can be stopped
and run again. The residents' audit events hold ciphertext too and are
re-encrypted as well, or the old key could never be dropped; that is the
one change ever made to an event row, and the clear number is unchanged.
Uploaded ledger files, stored sealed under the same keys, are resealed.
A ciphertext under a key no longer configured stops the run with an error.
"""

import contextlib

import pgtrigger
from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from grids import national_id
from policing.middleware import audit_context

#: (model label, what the count line calls it) of each encrypted column's table
ENCRYPTED_TABLES = [
    ("grids.Resident", "residents"),
    ("grids.ResidentEvent", "resident audit events"),
]
FIELD = "id_number_encrypted"
#: the stored ledger files (``ledgers`` sits above ``grids``: named, not imported)
LEDGER_FILES = "ledgers.LedgerImport"


class Command(BaseCommand):
    help = "Re-encrypt all national IDs under the first FIELD_ENCRYPTION_KEYS key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, batch_size, **options):
        active = national_id.active_key_id()
        with audit_context(command="rotate_field_keys"):
            for label, name in ENCRYPTED_TABLES:
                model = apps.get_model(label)
                total = model.objects.exclude(**{FIELD: ""}).count()
                rotated = rotate(model, batch_size=batch_size)
                self.stdout.write(
                    f"{name}: {rotated} re-encrypted, {total - rotated} already "
                    f"under key {active}"
                )
            resealed = reseal_ledger_files()
            self.stdout.write(f"ledger files: {resealed} resealed")


def rotate(model, *, batch_size: int) -> int:
    """Re-encrypt ``model``'s stale ciphertexts in batches; return how many."""
    stale = (
        model.objects.exclude(**{FIELD: ""})
        .exclude(**{f"{FIELD}__startswith": national_id.active_key_prefix()})
        .order_by("pk")
        .only("pk", FIELD)
    )
    rotated, last = 0, None
    while True:
        with transaction.atomic(), _allow_rewrite(model):
            batch = stale if last is None else stale.filter(pk__gt=last)
            rows = list(batch.select_for_update()[:batch_size])
            if not rows:
                return rotated
            for row in rows:
                setattr(row, FIELD, national_id.reencrypt(getattr(row, FIELD)))
            model.objects.bulk_update(rows, [FIELD])
        rotated += len(rows)
        last = rows[-1].pk


def _allow_rewrite(model):
    """Let this transaction rewrite an append-only event table's ciphertext."""
    if connection.vendor != "postgresql" or not model._meta.label.endswith("Event"):
        return contextlib.nullcontext()
    return pgtrigger.ignore(f"{model._meta.label}:append_only")


def reseal_ledger_files() -> int:
    """Reseal each stored ledger file not yet under the active key, one by one.

    Files are megabytes: one row at a time, and only the id list in memory.
    """
    ledger_imports = apps.get_model(LEDGER_FILES).objects
    resealed = 0
    for pk in ledger_imports.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            locked = ledger_imports.select_for_update().filter(pk=pk)
            content = bytes(locked.values_list("content", flat=True).get())
            if not content:
                continue
            sealed = national_id.reseal(content)
            if sealed != content:
                locked.update(content=sealed)
                resealed += 1
    return resealed
