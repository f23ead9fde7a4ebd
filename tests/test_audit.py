"""Every write is audited by database triggers (PostgreSQL only, SPEC §6).

Issue 11, item 6: every row change to a domain table, however it is made
(``save()``, ``create()``, ``update()``, ``bulk_create()``, ``bulk_update()``,
``delete()``, raw SQL), leaves an event holding who, when and the whole row,
and events are append-only. The guards below read the PostgreSQL catalog,
not the ``@audited`` decorator, so a table whose triggers are missing fails
as surely as a model nobody decorated.
"""

import datetime
import re
import uuid
from collections import defaultdict
from decimal import Decimal

import pghistory.models
import pytest
from django.apps import apps
from django.contrib import admin
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Max
from django.test import Client, RequestFactory
from django.utils import timezone

from assessments.models import (
    AssessmentPolicy,
    AssessmentRow,
    MonthlyAssessment,
    QuotaPolicy,
)
from cases.models import CaseEvent, CaseParty, CaseReturnVisit, Rating
from disputes.models import (
    Agreement,
    DisputeEvent,
    DisputePolicy,
    MediationSession,
    ReturnVisit,
)
from grids.models import Household
from policing.middleware import audit_context
from stations.tests.factories import BureauFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="audit triggers exist on PostgreSQL only",
    ),
]

LOCAL_APPS = (
    "policing",
    "stations",
    "grids",
    "ledgers",
    "visits",
    "disputes",
    "cases",
    "assessments",
)

#: local models whose rows leave no audit event, and why
NOT_AUDITED = {
    "policing.PendingTask": "transactional outbox: a task's name and arguments, "
    "deleted once sent",
    "stations.Notification": "made by the dispute sweep from audited disputes; "
    "only read and e-mailed marks change",
    "grids.IdReveal": "is itself an audit log, append-only by its own trigger (G-AD6)",
    "ledgers.LedgerImport": "is itself the import's audit record; a trigger would "
    "copy the file at every status change",
    "ledgers.LedgerImportRow": "the check's findings for an import's rows, "
    "derived from its file",
    "ledgers.LedgerExport": "is itself the log of exports (who, when, what, how many)",
    "cases.TrackAttempt": "rate-limit log of public /track/ queries",
    "assessments.QuotaSnapshot": "derived figures, rewritten whole every night "
    "from audited records",
    "assessments.CoverageSnapshot": "derived counts, rewritten whole every night "
    "from audited records",
    "assessments.InterimAssessment": "derived copy of a month not stored yet, "
    "rewritten whole every half hour",
    "assessments.ReportJob": "a report file being built from the stored assessment",
}

#: audited model -> (a column, two distinct values for it)
AUDITED = {
    "stations.Bureau": ("name", "甲", "乙"),
    "stations.Station": ("name", "甲", "乙"),
    "stations.Post": ("opening_hours", "甲", "乙"),
    "stations.Person": ("phone", "13900000001", "13900000002"),
    "stations.Assignment": (
        "end",
        datetime.date(2099, 1, 31),
        datetime.date(2099, 2, 28),
    ),
    "grids.Area": ("name", "甲", "乙"),
    "grids.Grid": ("population", 10, 20),
    "grids.Household": ("member_count", 7, 8),
    "grids.Resident": ("phone", "13900000001", "13900000002"),
    "visits.Visit": ("info_items", 3, 4),
    "visits.Patrol": ("notes", "甲", "乙"),
    "visits.Venue": ("name", "甲", "乙"),
    "visits.Inspection": ("hazards_found", 5, 6),
    "visits.Service": ("quantity", 2, 3),
    "disputes.DisputePolicy": ("first_contact_hours", 12, 48),
    "disputes.Dispute": ("summary", "甲", "乙"),
    "disputes.DisputeEvent": ("reason", "甲", "乙"),
    "disputes.ReturnVisit": ("outcome", "甲", "乙"),
    "disputes.DisputeParty": ("phone", "13900000001", "13900000002"),
    "disputes.MediationSession": ("place", "甲", "乙"),
    "disputes.Agreement": ("terms", "甲", "乙"),
    "cases.Case": ("summary", "甲", "乙"),
    "cases.CaseParty": ("name", "甲", "乙"),
    "cases.CaseEvent": ("text", "甲", "乙"),
    "cases.CaseReturnVisit": ("outcome", "甲", "乙"),
    "cases.Rating": ("score", 2, 3),
    "assessments.QuotaPolicy": ("household_visits", 10, 30),
    "assessments.AssessmentPolicy": (
        "incident_target_per_10k",
        Decimal("3.50"),
        Decimal("4.50"),
    ),
    "assessments.MonthlyAssessment": (
        "published_at",
        datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC),
        datetime.datetime(2026, 2, 2, tzinfo=datetime.UTC),
    ),
    "assessments.AssessmentRow": ("rank_in_bureau", 1, 2),
}


def _agreement(w):
    return Agreement.objects.create(
        dispute=w.disputes["A"], number="AUDIT-1", terms="和解"
    )


def _session(w):
    return MediationSession.objects.create(
        dispute=w.disputes["A"], participants="甲、乙"
    )


def _assessment(w):
    return MonthlyAssessment.objects.create(
        bureau=w.bureaus["X"],
        month=datetime.date(2026, 1, 1),
        computed_at=timezone.now() - datetime.timedelta(minutes=1),
    )


def _assessment_row(w):
    return AssessmentRow.objects.create(
        assessment=_assessment(w),
        person=w.persons["officer_a"],
        station=w.stations["S"],
    )


#: a row of each audited model ``world`` does not hold
SEEDS = {
    "disputes.DisputePolicy": lambda w: DisputePolicy.objects.create(
        bureau=w.bureaus["X"]
    ),
    "disputes.DisputeEvent": lambda w: DisputeEvent.objects.create(
        dispute=w.disputes["A"], kind="reported", by=w.persons["officer_a"]
    ),
    "disputes.ReturnVisit": lambda w: ReturnVisit.objects.create(
        dispute=w.disputes["A"],
        by=w.persons["officer_a"],
        outcome="双方履行协议",
        satisfaction=5,
    ),
    "disputes.MediationSession": _session,
    "disputes.Agreement": _agreement,
    "cases.CaseEvent": lambda w: CaseEvent.objects.create(
        case=w.cases["A"], kind="reported", by=w.persons["officer_a"]
    ),
    "cases.CaseReturnVisit": lambda w: CaseReturnVisit.objects.create(
        case=w.cases["A"],
        party=w.cases["A"].parties.first(),
        by=w.persons["officer_a"],
        outcome="已告知进展",
    ),
    "cases.Rating": lambda w: Rating.objects.create(
        case=w.cases["A"],
        party=w.cases["A"].parties.first(),
        officer=w.persons["officer_a"],
        score=5,
    ),
    "assessments.QuotaPolicy": lambda w: QuotaPolicy.objects.create(
        bureau=w.bureaus["X"]
    ),
    "assessments.AssessmentPolicy": lambda w: AssessmentPolicy.objects.create(
        bureau=w.bureaus["X"]
    ),
    "assessments.MonthlyAssessment": _assessment,
    "assessments.AssessmentRow": _assessment_row,
}


def _new_bureau(w, row, n):
    return {"bureau_id": BureauFactory().pk}


def _new_party(w, row, n):
    party = CaseParty.objects.create(
        case_id=row.case_id, role=CaseParty.Role.VICTIM, name=f"评价人{n}"
    )
    return {"party_id": party.pk}


#: what the n-th copy of a row must change beyond its unique text columns,
#: nullable one-to-one links and ``client_uuid`` (other one-to-one links
#: and unique constraints)
COPIES = {
    "disputes.DisputePolicy": _new_bureau,
    "disputes.Agreement": lambda w, row, n: {"dispute_id": w.disputes["BC"[n - 1]].pk},
    "cases.Rating": _new_party,
    "assessments.QuotaPolicy": _new_bureau,
    "assessments.AssessmentPolicy": _new_bureau,
    "assessments.MonthlyAssessment": lambda w, row, n: {
        "month": row.month.replace(year=row.month.year + n)
    },
    "assessments.AssessmentRow": lambda w, row, n: {
        "person_id": w.persons[("officer_b", "officer_c")[n - 1]].pk
    },
}

#: link model (the proxy of a many-to-many table) -> its owner, the field,
#: and two rows to link
LINKS = {
    "stations.PostServes": lambda w: (
        w.posts["S"],
        "serves",
        [w.areas["C"], w.areas["D"]],
    ),
    "disputes.MediationSessionMediators": lambda w: (
        _session(w),
        "mediators",
        [w.persons["officer_a"], w.persons["chief_s"]],
    ),
    "disputes.AgreementMediators": lambda w: (
        _agreement(w),
        "mediators",
        [w.persons["officer_a"], w.persons["chief_s"]],
    ),
    "disputes.AgreementConsentingParties": lambda w: (
        _agreement(w),
        "consenting_parties",
        list(w.disputes["A"].parties.order_by("pk")),
    ),
}

#: (operation, pgh_label, row copied) every audited table must record
ROW_WRITES = {
    ("INSERT", "insert", "NEW"),
    ("UPDATE", "update", "NEW"),
    ("DELETE", "delete", "OLD"),
}
#: the same for a many-to-many table: Django only inserts and deletes its
#: rows, so only those are recorded (a raw UPDATE of a link is not)
LINK_WRITES = {("INSERT", "add", "NEW"), ("DELETE", "remove", "OLD")}

TRIGGERS = """
    SELECT c.relname, t.tgtype, p.prosrc
    FROM pg_trigger t
    JOIN pg_class c ON c.oid = t.tgrelid
    JOIN pg_proc p ON p.oid = t.tgfoid
    WHERE c.relnamespace = current_schema()::regnamespace
      AND NOT t.tgisinternal
      AND t.tgenabled IN ('O', 'A')
"""
# pg_trigger.tgtype bits
ROW, BEFORE, INSERT, DELETE, UPDATE, INSTEAD = 1, 2, 4, 8, 16, 64
OPERATIONS = {INSERT: "INSERT", DELETE: "DELETE", UPDATE: "UPDATE"}
EVENT_INSERT = re.compile(
    r'INSERT INTO "(?P<table>\w+)" \((?P<columns>[^)]*)\) VALUES \((?P<values>.*?)\);',
    re.DOTALL,
)


def triggers():
    """Return (table, tgtype, function source) of every enabled trigger."""
    with connection.cursor() as cursor:
        cursor.execute(TRIGGERS)
        return cursor.fetchall()


def recorded_writes():
    """Return table -> {(operation, event table, label, row, columns copied)}.

    Only AFTER ... FOR EACH ROW triggers count, and a column counts as
    copied when it is taken from the row as it is (``NEW."x"`` or ``OLD."x"``).
    """
    writes = defaultdict(set)
    for table, tgtype, source in triggers():
        if not tgtype & ROW or tgtype & (BEFORE | INSTEAD):
            continue
        for insert in EVENT_INSERT.finditer(source):
            columns = re.findall(r'"(\w+)"', insert["columns"])
            values = [value.strip() for value in insert["values"].split(",")]
            if len(columns) != len(values):
                continue
            row = dict(zip(columns, values, strict=True))
            label = row.pop("pgh_label", "").strip("'")
            for side in ("NEW", "OLD"):
                copied = frozenset(
                    column
                    for column, value in row.items()
                    if value == f'{side}."{column}"'
                )
                if copied:
                    for bit, operation in OPERATIONS.items():
                        if tgtype & bit:
                            writes[table].add(
                                (operation, insert["table"], label, side, copied)
                            )
    return writes


def local_models():
    """Every concrete model of the local apps, link tables included, events not."""
    return [
        model
        for app in LOCAL_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and not issubclass(model, pghistory.models.Event)
    ]


def event_models():
    """Return event table -> event model, for every pghistory event model."""
    return {
        model._meta.db_table: model
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and model.pgh_tracked_model
    }


def audit_catalog():
    """Return ({tracked label: event model}, [problems]) read from the catalog.

    A model is audited when the triggers on its table copy every column of
    each inserted, updated and deleted row (added and removed, for a link
    table) into the table of an event model that tracks it.
    """
    writes = recorded_writes()
    events = event_models()
    audited, problems = {}, []
    models_by_label = {model._meta.label: model for model in local_models()}
    for label, model in models_by_label.items():
        table = model._meta.db_table
        columns = {field.column for field in model._meta.concrete_fields}
        required = LINK_WRITES if model._meta.auto_created else ROW_WRITES
        found = defaultdict(set)
        for operation, event_table, pgh_label, side, copied in writes.get(table, ()):
            if copied >= columns:
                found[event_table].add((operation, pgh_label, side))
        complete = [
            events[event_table]
            for event_table, recorded in found.items()
            if recorded >= required
            and event_table in events
            and events[event_table].pgh_tracked_model._meta.db_table == table
        ]
        if complete:
            event_model = complete[0]
            audited[event_model.pgh_tracked_model._meta.label] = event_model
            if label in NOT_AUDITED:
                problems.append(f"{label} is audited: drop it from NOT_AUDITED")
        elif table in writes:
            missing = sorted(required - set().union(*found.values()))
            problems.append(f"{label} is partly audited, missing {missing}")
        elif label not in NOT_AUDITED:
            problems.append(
                f"{label} has no audit triggers: decorate it with @audited "
                "or list it in NOT_AUDITED with the reason"
            )
    problems += [
        f"NOT_AUDITED names {label}, which is no local model"
        for label in NOT_AUDITED.keys() - models_by_label.keys()
    ]
    return audited, problems


def event_model_of(model):
    """The event model tracking ``model`` (named ``<Model>Event`` or not)."""
    [event_model] = [
        event for event in event_models().values() if event.pgh_tracked_model is model
    ]
    return event_model


def events_of(model_label: str):
    return event_model_of(apps.get_model(model_label)).objects


def test_every_local_model_is_audited_or_says_why_not():
    """A new model fails here until it is audited or listed in NOT_AUDITED."""
    audited, problems = audit_catalog()
    assert problems == []
    assert audited  # the catalog was read


def test_the_battery_covers_every_audited_model():
    """The write battery below names every audited model, and only those."""
    audited, _ = audit_catalog()
    links = {label for label in audited if audited[label].pgh_tracked_model._meta.proxy}
    assert set(AUDITED) == audited.keys() - links
    assert set(LINKS) == links
    assert not SEEDS.keys() - AUDITED.keys()
    assert not COPIES.keys() - AUDITED.keys()


def test_every_event_table_refuses_update_and_delete():
    """Each event table has an enabled row trigger refusing UPDATE and DELETE."""
    guarded = {
        table
        for table, tgtype, source in triggers()
        if tgtype & ROW
        and tgtype & BEFORE
        and tgtype & DELETE
        and tgtype & UPDATE
        and "Cannot update or delete rows" in source
    }
    event_tables = {
        model._meta.db_table
        for model in event_models().values()
        if model._meta.app_label in LOCAL_APPS
    }
    assert event_tables
    assert sorted(event_tables - guarded) == []


def row_values(model, pk, fields):
    return model._base_manager.filter(pk=pk).values(*fields).get()


def copy_of(world, label, row, n):
    """The column values of ``row`` with its unique ones changed (the n-th copy)."""
    model = row.__class__
    values = {}
    for field in model._meta.concrete_fields:
        value = getattr(row, field.attname)
        if field.primary_key:
            continue
        if field.unique and isinstance(field, models.OneToOneField) and field.null:
            value = None
        elif field.unique and isinstance(field, models.CharField):
            value = f"{value}-{n}"
        elif field.name == "client_uuid":
            value = uuid.uuid4()
        values[field.attname] = value
    values.update(COPIES.get(label, lambda *args: {})(world, row, n))
    return values


@pytest.mark.parametrize("label", AUDITED)
def test_every_kind_of_write_is_recorded(world, label):
    """Each way of writing a row leaves its event: who, when, the whole row.

    The events of a row, in order, are the row's successive states, so each
    update's event is preceded by one holding the row as it was before, and
    a delete's event holds the row as it was when deleted.
    """
    model = apps.get_model(label)
    event_model = event_model_of(model)
    field, first, second = AUDITED[label]
    fields = [f.attname for f in model._meta.concrete_fields]
    row = model.objects.order_by("pk").first() or SEEDS[label](world)
    pk = row.pk
    assert getattr(row, field) not in (first, second), "pick other values"
    start = event_model.objects.aggregate(last=Max("pgh_id"))["last"] or 0
    last = event_model.objects.filter(pgh_obj_id=pk).latest("pgh_id")
    assert {f: getattr(last, f) for f in fields} == row_values(model, pk, fields)

    expected = []

    def expect(what, obj_pk, values=None):
        values = values or row_values(model, obj_pk, fields)
        expected.append((what, obj_pk, values))

    user = world.users["chief_s"]
    column = model._meta.get_field(field).column
    with audit_context(user=user.pk):
        setattr(row, field, first)
        row.save()
        expect("update", pk)  # save()
        model.objects.filter(pk=pk).update(**{field: second})
        expect("update", pk)  # queryset.update()
        setattr(row, field, first)
        model.objects.bulk_update([row], [field])
        expect("update", pk)  # bulk_update()
        with connection.cursor() as cursor:
            cursor.execute(
                f'UPDATE "{model._meta.db_table}" SET "{column}" = %s '
                f'WHERE "{model._meta.pk.column}" = %s',
                [second, pk],
            )
        expect("update", pk)  # raw SQL

        created = model.objects.create(**copy_of(world, label, row, 1))
        expect("insert", created.pk)  # create()
        [bulk] = model.objects.bulk_create([model(**copy_of(world, label, row, 2))])
        expect("insert", bulk.pk)  # bulk_create()
        old = row_values(model, created.pk, fields)
        created_pk = created.pk
        created.delete()
        expect("delete", created_pk, old)  # delete()
        old = row_values(model, bulk.pk, fields)
        model.objects.filter(pk=bulk.pk).delete()
        expect("delete", bulk.pk, old)  # queryset.delete()

    recorded = list(
        event_model.objects.filter(pgh_id__gt=start)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    assert [
        (e.pgh_label, e.pgh_obj_id, {f: getattr(e, f) for f in fields})
        for e in recorded
    ] == expected
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        [[now]] = cursor.fetchall()
    assert {e.pgh_created_at for e in recorded} == {now}
    assert {e.pgh_context.metadata["user"] for e in recorded} == {user.pk}


@pytest.mark.parametrize("label", LINKS)
def test_every_kind_of_link_write_is_recorded(world, label):
    """Links added or removed, by the ORM or raw SQL, leave add/remove events."""
    through = apps.get_model(label)
    event_model = event_model_of(through)
    owner, attribute, (first, second) = LINKS[label](world)
    manager = getattr(owner, attribute)
    [owner_field] = [
        f
        for f in through._meta.concrete_fields
        if f.is_relation and f.related_model is owner.__class__
    ]
    [target_field] = [
        f
        for f in through._meta.concrete_fields
        if f.is_relation and f is not owner_field
    ]
    table = through._meta.db_table
    own, target = owner_field.attname, target_field.attname
    start = event_model.objects.aggregate(last=Max("pgh_id"))["last"] or 0
    user = world.users["chief_s"]

    with audit_context(user=user.pk):
        manager.add(first)
        through.objects.bulk_create([through(**{own: owner.pk, target: second.pk})])
        with connection.cursor() as cursor:
            cursor.execute(
                f'DELETE FROM "{table}" WHERE "{own}" = %s AND "{target}" = %s',
                [owner.pk, second.pk],
            )
            cursor.execute(
                f'INSERT INTO "{table}" ("{own}", "{target}") VALUES (%s, %s)',
                [owner.pk, second.pk],
            )
        manager.remove(first)
        through.objects.filter(**{own: owner.pk, target: second.pk}).delete()

    recorded = list(
        event_model.objects.filter(pgh_id__gt=start)
        .select_related("pgh_context")
        .order_by("pgh_id")
    )
    assert [(e.pgh_label, getattr(e, own), getattr(e, target)) for e in recorded] == [
        ("add", owner.pk, first.pk),  # add()
        ("add", owner.pk, second.pk),  # bulk_create()
        ("remove", owner.pk, second.pk),  # raw DELETE
        ("add", owner.pk, second.pk),  # raw INSERT
        ("remove", owner.pk, first.pk),  # remove()
        ("remove", owner.pk, second.pk),  # queryset.delete()
    ]
    assert all(e.pgh_created_at for e in recorded)
    assert {e.pgh_context.metadata["user"] for e in recorded} == {user.pk}


def test_api_write_records_the_user_and_the_change(world, client_for):
    """An API update's event carries the user, the URL and the new values."""
    officer = world.users["officer_a"]
    household = world.households["A"]
    response = client_for(officer).patch(
        f"/api/v1/households/{household.pk}/", {"member_count": 5}
    )
    assert response.status_code == 200

    event = (
        events_of("grids.Household").filter(pgh_obj_id=household.pk).latest("pgh_id")
    )
    assert event.pgh_label == "update"
    assert event.member_count == 5
    assert event.pgh_context.metadata["user"] == officer.pk
    assert event.pgh_context.metadata["url"] == f"/api/v1/households/{household.pk}/"


def test_delete_and_bulk_writes_are_recorded(world):
    """Deletes and bulk updates are captured too, which model signals would miss."""
    events = events_of("grids.Household")
    count = Household.objects.count()
    before = events.count()
    Household.objects.update(member_count=2)
    assert events.count() == before + count

    household = Household.objects.create(
        address="临时路1号", grid=world.grids["A"], member_count=1
    )
    pk = household.pk
    household.delete()
    labels = list(
        events.filter(pgh_obj_id=pk)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    )
    assert labels == ["insert", "delete"]


def test_areas_added_to_and_removed_from_a_post_are_recorded(world, client_for):
    """The post's served areas live in a link table that the post's own events miss."""
    chief = world.users["chief_s"]
    post, kept, moved = world.posts["S"], world.areas["A"], world.areas["B"]
    events = apps.get_model("stations", "PostServesEvent").objects.filter(post=post)
    before = events.count()
    url = f"/api/v1/posts/{post.pk}/"
    client = client_for(chief)

    response = client.patch(url, {"serves": [kept.pk]}, format="json")
    assert response.status_code == 200
    response = client.patch(url, {"serves": [kept.pk, moved.pk]}, format="json")
    assert response.status_code == 200

    recorded = list(events.order_by("pgh_id")[before:])
    assert [(e.pgh_label, e.area_id) for e in recorded] == [
        ("remove", moved.pk),
        ("add", moved.pk),
    ]
    assert {e.pgh_context.metadata["user"] for e in recorded} == {chief.pk}
    assert {e.pgh_context.metadata["url"] for e in recorded} == {url}


def test_an_applied_ledger_is_audited_with_the_import_named(world):
    """Rows written by an import's Celery task carry its confirmer and the import."""
    from ledgers import jobs
    from ledgers.models import LedgerImport
    from ledgers.tests.workbooks import sheet

    chief = world.users["chief_s"]
    grid = world.grids["A"]
    job = LedgerImport.objects.create(
        entity="households",
        file_name="h.xlsx",
        content=sheet([["审计路1号", grid.code, "", "", 2]]),
        bureau=world.bureaus["X"],
        station=world.stations["S"],
        requested_by=chief,
    )
    jobs.run_check(job)
    LedgerImport.objects.filter(pk=job.pk).update(
        status=LedgerImport.Status.APPLYING, applied_by=chief
    )
    job.refresh_from_db()
    assert jobs.run_apply(job).status == LedgerImport.Status.APPLIED

    household = Household.objects.get(address="审计路1号")
    event = events_of("grids.Household").get(pgh_obj_id=household.pk)
    assert event.pgh_context.metadata == {"user": chief.pk, "ledger_import": job.pk}


def test_mediators_and_consenting_parties_are_recorded(world):
    """Session mediators and agreement links are audited like any other write."""
    from disputes.models import Agreement, DisputeParty, MediationSession

    dispute = world.disputes["A"]
    officer, chief = world.persons["officer_a"], world.persons["chief_s"]
    session = MediationSession.objects.create(dispute=dispute, participants="甲、乙")
    session.mediators.set([officer, chief])
    session.mediators.remove(chief)
    party = DisputeParty.objects.create(dispute=dispute, name="甲")
    agreement = Agreement.objects.create(
        dispute=dispute, number="AUDIT-1", terms="和解"
    )
    agreement.mediators.add(officer)
    agreement.consenting_parties.add(party)

    def links(model_name, field):
        events = apps.get_model("disputes", model_name).objects.order_by("pgh_id")
        return [(e.pgh_label, getattr(e, field)) for e in events]

    *added, removed = links("MediationSessionMediatorsEvent", "person_id")
    # set() adds both in one INSERT: their order is the database's.
    assert sorted(added) == sorted([("add", officer.pk), ("add", chief.pk)])
    assert removed == ("remove", chief.pk)
    assert links("AgreementMediatorsEvent", "person_id") == [("add", officer.pk)]
    assert links("AgreementConsentingPartiesEvent", "disputeparty_id") == [
        ("add", party.pk)
    ]


def test_events_are_append_only(world):
    """No UPDATE or DELETE on an event table succeeds, by ORM or raw SQL (G-AD2)."""
    household = world.households["A"]
    household.member_count = 9
    household.save()
    events = events_of("grids.Household").filter(pgh_obj_id=household.pk)
    event = events.latest("pgh_id")
    table = event._meta.db_table
    before = list(events.order_by("pgh_id").values())

    def edit_event():
        event.member_count = 1
        event.save()

    attempts = {
        "save()": edit_event,
        "update()": lambda: events.update(member_count=1),
        "delete()": lambda: events_of("grids.Household").get(pk=event.pk).delete(),
        "queryset.delete()": lambda: events.delete(),
        "raw UPDATE": lambda: connection.cursor().execute(
            f'UPDATE "{table}" SET member_count = 1 WHERE pgh_id = %s', [event.pk]
        ),
        "raw DELETE": lambda: connection.cursor().execute(
            f'DELETE FROM "{table}" WHERE pgh_id = %s', [event.pk]
        ),
    }
    allowed = []
    for name, attempt in attempts.items():
        try:
            with transaction.atomic():
                attempt()
        except DatabaseError as error:
            assert "Cannot update or delete rows" in str(error), name
        else:
            allowed.append(name)
    assert allowed == []
    assert list(events.order_by("pgh_id").values()) == before

    # The admin offers no event table to a superuser, so nothing to edit there.
    event_models = [
        model
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event | pghistory.models.Context)
        or model._meta.app_label == "pghistory"
    ]
    superuser = world.users["superuser"]
    request = RequestFactory().get("/admin/")
    request.user = superuser
    for model in event_models:
        model_admin = admin.site._registry.get(model)
        if model_admin is not None:
            assert not model_admin.has_change_permission(request), model
            assert not model_admin.has_delete_permission(request), model
    browser = Client()
    browser.force_login(superuser)
    path = f"/admin/grids/householdevent/{event.pk}/delete/"
    assert browser.post(path, {"post": "yes"}).status_code == 404
    assert events.filter(pk=event.pk).exists()
