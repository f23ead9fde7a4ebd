"""Every write is audited by database triggers (PostgreSQL only, SPEC §6)."""

import pghistory.models
import pytest
from django.apps import apps
from django.contrib import admin
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory

from grids.models import Household

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="audit triggers exist on PostgreSQL only",
    ),
]

#: audited model -> (a text or number column, two distinct values for it)
AUDITED = {
    "stations.Bureau": ("name", "甲", "乙"),
    "stations.Station": ("name", "甲", "乙"),
    "stations.Post": ("opening_hours", "甲", "乙"),
    "stations.Person": ("phone", "13800000001", "13800000002"),
    "stations.Assignment": ("role", "assistant", "responsible"),
    "grids.Area": ("name", "甲", "乙"),
    "grids.Grid": ("population", 10, 20),
    "grids.Household": ("member_count", 7, 8),
    "grids.Resident": ("phone", "13800000001", "13800000002"),
}


def events_of(model_label: str):
    app_label, name = model_label.split(".")
    return apps.get_model(app_label, f"{name}Event").objects


@pytest.mark.parametrize("model_label", AUDITED)
def test_every_kind_of_write_is_recorded(world, model_label):
    """save(), update() and raw SQL each leave an event holding the new row."""
    model = apps.get_model(model_label)
    field, first, second = AUDITED[model_label]
    events = events_of(model_label)
    row = model.objects.order_by("pk").first()
    pk = row.pk

    setattr(row, field, first)
    row.save()
    model.objects.filter(pk=pk).update(**{field: second})
    column = model._meta.get_field(field).column
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE "{model._meta.db_table}" SET "{column}" = %s WHERE id = %s',
            [first, pk],
        )

    recorded = list(
        events.filter(pgh_obj_id=pk).order_by("pgh_id").values_list("pgh_label", field)
    )
    assert recorded == [
        ("insert", recorded[0][1]),
        ("update", first),  # save()
        ("update", second),  # queryset.update()
        ("update", first),  # raw SQL
    ]


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
    from grids import ledger_jobs
    from grids.models import LedgerImport
    from grids.tests.test_ledgers import sheet

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
    ledger_jobs.run_check(job)
    LedgerImport.objects.filter(pk=job.pk).update(
        status=LedgerImport.Status.APPLYING, applied_by=chief
    )
    job.refresh_from_db()
    assert ledger_jobs.run_apply(job).status == LedgerImport.Status.APPLIED

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
