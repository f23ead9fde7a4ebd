"""The project's tables as multisets of rows, to compare two database states.

A test that runs a task twice, or kills a worker and lets the task run again,
asks that the end state equal the one a single clean run leaves: the same
rows, none counted twice. Ids differ between such runs (a recreated row gets
a new one), so rows are compared by content, each table as a multiset.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Collection

from django.apps import apps
from django.db import models

#: the project's own apps, whose tables (and tasks) the tests compare
LOCAL_APPS = {
    "policing",
    "stations",
    "grids",
    "ledgers",
    "visits",
    "disputes",
    "cases",
    "assessments",
}


def table_digest(
    *,
    leave_out: Callable[[models.Field], bool] = lambda field: False,
    present_only: Collection[str] = (),
    skip_models: Collection[type[models.Model]] = (),
) -> dict[str, Counter]:
    """Return each local table's rows as a multiset of hashes, by model label.

    Primary keys are left out, so a row rebuilt under a new id still matches,
    and a row written twice counts 2. Audit tables (``*Event``) are skipped:
    they log writes, not state, and a rerun may log one more.

    ``leave_out`` picks the fields a rerun may rewrite without counting
    anything twice (a run's time, say); ``present_only`` names (by attname)
    the fields compared by whether they are set, not by their value (a time
    a run stamps); ``skip_models`` lists the tables a test checks on its own.
    """
    tables = {}
    for model in apps.get_models():
        if (
            model._meta.app_label not in LOCAL_APPS
            or model.__name__.endswith("Event")
            or model in skip_models
        ):
            continue
        names = [
            field.attname
            for field in model._meta.concrete_fields
            if not field.primary_key and not leave_out(field)
        ]
        rows = Counter()
        for values in model.objects.values_list(*names):
            row = [
                _comparable(value, present_only=name in present_only)
                for name, value in zip(names, values, strict=True)
            ]
            rows[hashlib.sha256(repr(row).encode()).hexdigest()] += 1
        tables[model._meta.label] = rows
    return tables


def _comparable(value, *, present_only: bool):
    if present_only:
        return value is not None
    # PostgreSQL reads a binary field as a memoryview, whose repr is its address.
    if isinstance(value, memoryview):
        return bytes(value)
    return value
