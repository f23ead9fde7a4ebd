"""A city-sized bureau for benchmarks (issue 10): ``manage.py generate_city``.

One bureau of twenty stations and two thousand grids around Zhengzhou, with
its posts, about five thousand staff and their dated assignments, 600,000
households, a million residents, and a year of field work, disputes and cases
up to the day before ``until``. Smaller sizes scale the counts down.

The generator is a pipeline of stages, one function each, that share a
:class:`~demo.city.shared.City`: what earlier stages wrote and later ones
need (ids, the grids' polygons, who worked where when). Each stage has its
module: :mod:`~demo.city.territory` (stations, areas, grids, posts),
:mod:`~demo.city.staff`, :mod:`~demo.city.households` (and residents),
:mod:`~demo.city.field_work` (visits, patrols), :mod:`~demo.city.disputes`
and :mod:`~demo.city.cases`; :mod:`~demo.city.shared` holds the plans, the
row writer and the sampling helpers, and this module runs the stages.

Each stage draws from its own ``random.Random`` seeded with the seed and the
stage's name, so a change in one stage does not shift the draws of the
others. The same seed, size and
``until`` give the same rows; only ids and the national IDs' ciphertext
differ between runs, because every ciphertext takes a random nonce
(:func:`grids.national_id.encrypt`) and deriving nonces from the seed would
reuse them across runs.

Small tables are written with ``bulk_create``. On PostgreSQL the big ones
(households, residents, visits, patrols) are written with ``COPY`` from an
in-memory CSV buffer per batch; elsewhere they fall back to ``bulk_create``.
The whole run is one transaction. On PostgreSQL it runs with
``session_replication_role = replica`` (``SET LOCAL``, so for this
transaction and this connection only): the audit triggers (django-pghistory)
would otherwise write an audit event per generated row, and a benchmark
fixture is not a user's write. That role also skips foreign-key checks, so
every reference is taken from rows the run itself wrote;
``demo/tests/test_generate_city.py`` checks them. Dispute and case statuses,
times and levels are set by the workflows' own
:func:`disputes.workflow.apply_event` and :func:`cases.workflow.apply_event`.
"""

import datetime
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection, models, transaction
from django.db.models.deletion import get_candidate_relations_to_delete

from cases.models import Case, CaseEvent
from demo.city.cases import create_cases
from demo.city.disputes import create_disputes
from demo.city.field_work import create_patrols, create_visits
from demo.city.households import create_households, create_residents
from demo.city.shared import SIZES, City, CitySize, RowWriter
from demo.city.staff import create_staff
from demo.city.territory import create_posts, create_territory
from disputes.models import Dispute, DisputeEvent
from grids.models import Area, Grid, Household, Resident
from stations.models import Assignment, Bureau, Person, Post, Station
from visits.models import Patrol, Visit

__all__ = ["SIZES", "BureauExists", "CitySize", "Generated", "generate_city"]


class BureauExists(Exception):
    """The bureau code is taken and replacing it was not asked for."""


Progress = Callable[[str, dict[str, int], float], None]


@dataclass(frozen=True)
class Generated:
    """What :func:`generate_city` wrote."""

    counts: dict[str, int]
    #: whether PostgreSQL's audit triggers were skipped for the run
    audit_skipped: bool


def generate_city(
    *,
    size: CitySize,
    seed: int,
    bureau_code: str,
    until: datetime.date,
    replace: bool = False,
    keep_audit: bool = False,
    progress: Progress | None = None,
) -> Generated:
    """Write a city-sized bureau ``bureau_code``; return the row counts.

    Raise :class:`BureauExists` when the code is taken, unless ``replace``,
    which deletes that bureau and everything in it first. ``progress`` is
    called after every stage with its name, row counts and seconds.
    ``keep_audit`` writes PostgreSQL's audit events as for any write: only
    to measure their cost, which grows faster than the rows (each event
    opens a subtransaction in the trigger functions).
    """
    report = progress or (lambda stage, counts, seconds: None)
    totals: dict[str, int] = {}
    with transaction.atomic(), _audit_triggers(skip=not keep_audit) as skipped:
        existing = Bureau.objects.filter(code=bureau_code).first()
        if existing is not None:
            if not replace:
                raise BureauExists(bureau_code)
            _run_stage("delete", lambda: delete_bureau(existing), report)
        city = City(
            size=size,
            seed=seed,
            code=bureau_code,
            until=until,
            writer=RowWriter(connection),
        )
        for stage, create in STAGES:
            totals |= _run_stage(stage, lambda create=create: create(city), report)
        if connection.vendor == "postgresql":
            _run_stage("analyze", analyze_tables, report)
    return Generated(counts=totals, audit_skipped=skipped)


def _run_stage(stage: str, work: Callable[[], dict[str, int] | None], report):
    started = time.perf_counter()
    counts = work() or {}
    report(stage, counts, time.perf_counter() - started)
    return counts


@contextmanager
def _audit_triggers(*, skip: bool):
    """Skip the audit triggers in this transaction only (PostgreSQL).

    ``SET LOCAL`` ends with the transaction; the role is restored as soon as
    the generator is done, for whatever else the same transaction does (a
    test, say). Yield whether the triggers are skipped: only a superuser may
    change the role, and without it the run writes the audit events too.
    """
    if not skip or connection.vendor != "postgresql":
        yield False
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        previous = cursor.fetchone()[0]
        try:
            with transaction.atomic():
                cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            skipped = False
        else:
            skipped = True
    yield skipped
    if not skipped:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('session_replication_role', %s, true)", [previous]
        )


def delete_bureau(bureau: Bureau) -> dict[str, int]:
    """Delete a bureau and every row that depends on it, however deep.

    ``PROTECT`` stops an ordinary delete at the first station; for a
    benchmark fixture the whole tree goes. Each table is emptied with one
    ``DELETE … WHERE … IN (subquery)`` after its dependents, so millions of
    rows are never loaded into memory. Audit history (``DO_NOTHING``) stays.
    """
    return {
        "deleted rows": _delete_with_dependents(Bureau.objects.filter(pk=bureau.pk))
    }


def _delete_with_dependents(rows: models.QuerySet) -> int:
    deleted = 0
    for relation in get_candidate_relations_to_delete(rows.model._meta):
        fk = relation.field
        dependents = relation.related_model._base_manager.filter(
            **{f"{fk.name}__in": rows}
        )
        on_delete = fk.remote_field.on_delete
        if on_delete in (models.CASCADE, models.PROTECT, models.RESTRICT):
            deleted += _delete_with_dependents(dependents)
        elif on_delete is models.SET_NULL:
            dependents.update(**{fk.name: None})
        elif on_delete is not models.DO_NOTHING:
            raise NotImplementedError(f"{fk} has an on_delete this cannot follow.")
    return deleted + rows._raw_delete(rows.db)


def analyze_tables() -> dict[str, int]:
    """Refresh the planner's statistics, as autovacuum would after a load."""
    models_written = (
        Station,
        Area,
        Grid,
        Post,
        Person,
        Assignment,
        Household,
        Resident,
        Visit,
        Patrol,
        Dispute,
        DisputeEvent,
        Case,
        CaseEvent,
    )
    with connection.cursor() as cursor:
        for model in models_written:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return {}


#: the stages in order; each writes what the next ones read
STAGES: tuple[tuple[str, Callable[[City], dict[str, int]]], ...] = (
    ("territory", create_territory),
    ("posts", create_posts),
    ("staff", create_staff),
    ("households", create_households),
    ("residents", create_residents),
    ("visits", create_visits),
    ("patrols", create_patrols),
    ("disputes", create_disputes),
    ("cases", create_cases),
)
