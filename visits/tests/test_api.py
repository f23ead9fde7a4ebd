"""The field-work API: CRUD, person defaulting, grids worked in, bad input."""

import datetime
import uuid

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from grids.tests.factories import HouseholdFactory, valid_id_number
from visits.models import (
    END_BEFORE_START,
    IN_THE_FUTURE,
    REMOVED_MORE_THAN_FOUND,
    RESIDENT_OF_ANOTHER_HOUSEHOLD,
    Inspection,
    Patrol,
    Service,
    Venue,
    Visit,
)
from visits.serializers import (
    GRID_OR_HOUSEHOLD,
    HOUSEHOLD_OF_ANOTHER_GRID,
    NOT_WORKING_THERE,
    ONLY_OWN_WORK,
    PERSON_REQUIRED,
)
from visits.tests.factories import PatrolFactory, local
from visits.workflow import ALREADY_STOPPED, NOT_YOUR_PATROL

pytestmark = pytest.mark.django_db

VISITS = "/api/v1/visits/"
PATROLS = "/api/v1/patrols/"
VENUES = "/api/v1/venues/"
INSPECTIONS = "/api/v1/inspections/"
SERVICES = "/api/v1/services/"


def ago(**delta) -> str:
    """Return the ISO time ``delta`` before now."""
    return (timezone.now() - datetime.timedelta(**delta)).isoformat()


def from_now(**delta) -> str:
    return (timezone.now() + datetime.timedelta(**delta)).isoformat()


def yesterday_at(hour, minute=0) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=1)
    return local(day.year, day.month, day.day, hour, minute)


def visit_of(world, where="A", /, **fields) -> dict:
    return {
        "household": world.households[where].pk,
        "visited_at": ago(hours=1),
    } | fields


def patrol_of(world, where="A", /, **fields) -> dict:
    return {
        "grid": world.grids[where].pk,
        "started_at": ago(hours=3),
        "ended_at": ago(hours=1),
    } | fields


def inspection_of(world, where="A", /, **fields) -> dict:
    return {
        "venue": world.venues[where].pk,
        "inspected_at": ago(hours=1),
        "kind": "fire",
        "hazards_found": 3,
        "hazards_removed": 2,
    } | fields


def service_of(world, where="A", /, **fields) -> dict:
    return {
        "household": world.households[where].pk,
        "served_at": ago(hours=1),
        "kind": "id_card_delivered",
    } | fields


#
# CRUD
#

CREATE_CASES = [
    (VISITS, Visit, visit_of),
    (PATROLS, Patrol, patrol_of),
    (INSPECTIONS, Inspection, inspection_of),
    (SERVICES, Service, service_of),
]
IDS = ["visits", "patrols", "inspections", "services"]


@pytest.mark.parametrize(("url", "model", "payload"), CREATE_CASES, ids=IDS)
def test_create_defaults_the_person_to_the_requester(
    world, client_for, url, model, payload
):
    """Without ``person``, the record is the requester's own work."""
    response = client_for(world.users["officer_a"]).post(url, payload(world))
    assert response.status_code == 201, response.json()
    assert response.json()["person"] == world.persons["officer_a"].pk
    assert (
        model.objects.get(pk=response.json()["id"]).person
        == (world.persons["officer_a"])
    )


@pytest.mark.parametrize(("url", "model", "payload"), CREATE_CASES, ids=IDS)
def test_retrieve_update_and_delete(world, client_for, url, model, payload):
    """The recording officer reads, changes and deletes the record."""
    client = client_for(world.users["officer_a"])
    pk = client.post(url, payload(world)).json()["id"]

    assert client.get(f"{url}{pk}/").json()["id"] == pk
    response = client.patch(f"{url}{pk}/", {"notes": "已复查"})
    assert response.status_code == 200, response.json()
    assert model.objects.get(pk=pk).notes == "已复查"
    assert client.delete(f"{url}{pk}/").status_code == 204
    assert not model.objects.filter(pk=pk).exists()


def test_visit_fields(world, client_for):
    """A visit reads back with the SPEC §2 field names and the household's grid."""
    resident = world.residents["A"]
    key = uuid.uuid4()
    location = {"type": "Point", "coordinates": [100.005, 30.005]}
    response = client_for(world.users["officer_a"]).post(
        VISITS,
        visit_of(
            world,
            resident=resident.pk,
            kind="key_person_talk",
            info_items=3,
            notes="谈话",
            location=location,
            client_uuid=str(key),
        ),
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {
        "id",
        "person",
        "household",
        "grid",
        "resident",
        "visited_at",
        "kind",
        "info_items",
        "notes",
        "location",
        "client_uuid",
    }
    assert body["grid"] == world.grids["A"].pk
    assert body["resident"] == resident.pk
    assert body["location"] == location
    assert body["client_uuid"] == str(key)
    assert Visit.objects.get(pk=body["id"]).grid == world.grids["A"]


def test_visit_grid_is_read_only(world, client_for):
    """A ``grid`` sent with a visit is ignored: it is the household's."""
    response = client_for(world.users["chief_s"]).post(
        VISITS,
        visit_of(world, person=world.persons["officer_a"].pk, grid=world.grids["B"].pk),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["grid"] == world.grids["A"].pk


def test_visit_moved_to_another_household_takes_its_grid(world, client_for):
    """Changing the household of a visit also changes its grid."""
    household = HouseholdFactory(grid=world.grids["A"])
    visit = world.visits["A"]
    visit.grid = world.grids["B"]  # stale, as if the household had moved
    visit.save()
    response = client_for(world.users["chief_s"]).patch(
        f"{VISITS}{visit.pk}/", {"household": household.pk}
    )
    assert response.status_code == 200, response.json()
    visit.refresh_from_db()
    assert (visit.household, visit.grid) == (household, world.grids["A"])


def test_patrol_reports_duration_and_night(world, client_for):
    """A patrol from 21:00 to 23:30 lasts 2.5 hours and is a night patrol."""
    response = client_for(world.users["officer_a"]).post(
        PATROLS,
        patrol_of(
            world,
            started_at=yesterday_at(21).isoformat(),
            ended_at=yesterday_at(23, 30).isoformat(),
        ),
    )
    assert response.status_code == 201, response.json()
    assert response.json()["duration_hours"] == 2.5
    assert response.json()["is_night"] is True


def test_day_patrol_is_not_a_night_patrol(world, client_for):
    """A patrol from 09:00 to 11:20 lasts 2.33 hours and is not at night."""
    response = client_for(world.users["officer_a"]).post(
        PATROLS,
        patrol_of(
            world,
            started_at=yesterday_at(9).isoformat(),
            ended_at=yesterday_at(11, 20).isoformat(),
        ),
    )
    assert response.json()["duration_hours"] == 2.33
    assert response.json()["is_night"] is False


def test_running_patrol_has_no_duration(world, client_for):
    """A patrol without an end is running: its duration is null."""
    response = client_for(world.users["officer_a"]).post(
        PATROLS, patrol_of(world, ended_at=None)
    )
    assert response.status_code == 201, response.json()
    assert response.json()["ended_at"] is None
    assert response.json()["duration_hours"] is None


def test_venue_crud(world, client_for):
    """Officer A adds, renames and removes a venue in grid A."""
    client = client_for(world.users["officer_a"])
    response = client.post(
        VENUES,
        {
            "name": "红星网吧",
            "kind": "internet_cafe",
            "address": "A路8号",
            "grid": world.grids["A"].pk,
            "location": {"type": "Point", "coordinates": [100.005, 30.005]},
        },
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert set(response.json()) == {
        "id",
        "name",
        "kind",
        "address",
        "grid",
        "location",
    }
    assert client.patch(f"{VENUES}{pk}/", {"name": "蓝星网吧"}).status_code == 200
    assert Venue.objects.get(pk=pk).name == "蓝星网吧"
    assert client.delete(f"{VENUES}{pk}/").status_code == 204


def test_venue_in_a_colleagues_grid_is_rejected(world, client_for):
    """Officer A cannot add a venue to grid B."""
    count = Venue.objects.count()
    response = client_for(world.users["officer_a"]).post(
        VENUES, {"name": "B酒店", "kind": "hotel", "grid": world.grids["B"].pk}
    )
    assert response.status_code == 400
    assert "grid" in response.json()
    assert Venue.objects.count() == count


def test_service_takes_the_grid_of_its_household(world, client_for):
    """A service to a household is in the household's grid."""
    response = client_for(world.users["officer_a"]).post(SERVICES, service_of(world))
    assert response.status_code == 201, response.json()
    assert response.json()["grid"] == world.grids["A"].pk
    assert response.json()["quantity"] == 1


def test_service_without_household_names_its_grid(world, client_for):
    """A service need not be to one household; then it names the grid."""
    response = client_for(world.users["officer_a"]).post(
        SERVICES,
        {
            "grid": world.grids["A"].pk,
            "served_at": ago(hours=2),
            "kind": "help_request",
            "quantity": 4,
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["household"] is None


def test_service_needs_a_grid_or_a_household(world, client_for):
    """A service with neither grid nor household is a ``grid`` error."""
    count = Service.objects.count()
    response = client_for(world.users["officer_a"]).post(
        SERVICES, {"served_at": ago(hours=2), "kind": "help_request"}
    )
    assert response.status_code == 400
    assert response.json() == {"grid": [str(GRID_OR_HOUSEHOLD)]}
    assert Service.objects.count() == count


def test_service_household_must_be_in_its_grid(world, client_for):
    """A household outside the service's grid is a ``household`` error."""
    count = Service.objects.count()
    response = client_for(world.users["chief_s"]).post(
        SERVICES,
        service_of(world, person=world.persons["chief_s"].pk, grid=world.grids["B"].pk),
    )
    assert response.status_code == 400
    assert response.json() == {"household": [str(HOUSEHOLD_OF_ANOTHER_GRID)]}
    assert Service.objects.count() == count


def test_list_shows_only_the_officers_grids(world, client_for):
    """Officer A lists the visits of grid A only; grid B's answer 404."""
    client = client_for(world.users["officer_a"])
    response = client.get(VISITS)
    assert [row["id"] for row in response.json()["results"]] == [world.visits["A"].pk]
    assert client.get(f"{VISITS}{world.visits['B'].pk}/").status_code == 404


#
# Who records whose work
#


def test_field_staff_cannot_record_for_someone_else(world, client_for):
    """Auxiliary A naming officer A as the person is a ``person`` error."""
    count = Visit.objects.count()
    response = client_for(world.users["auxiliary_a"]).post(
        VISITS, visit_of(world, person=world.persons["officer_a"].pk)
    )
    assert response.status_code == 400
    assert response.json() == {"person": [str(ONLY_OWN_WORK)]}
    assert Visit.objects.count() == count


def test_field_staff_cannot_hand_their_record_to_someone_else(world, client_for):
    """Officer A cannot change the person of a visit to auxiliary A."""
    visit = world.visits["A"]
    response = client_for(world.users["officer_a"]).patch(
        f"{VISITS}{visit.pk}/", {"person": world.persons["auxiliary_a"].pk}
    )
    assert response.status_code == 400
    assert response.json() == {"person": [str(ONLY_OWN_WORK)]}
    visit.refresh_from_db()
    assert visit.person == world.persons["officer_a"]


def test_person_of_another_station_is_unknown(world, client_for):
    """A person outside the requester's scope fails as a nonexistent one."""
    client = client_for(world.users["chief_s"])
    foreign = client.post(VISITS, visit_of(world, person=world.persons["officer_c"].pk))
    missing = client.post(VISITS, visit_of(world, person=987654321))
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["person"] == [
        message.replace("987654321", str(world.persons["officer_c"].pk))
        for message in missing.json()["person"]
    ]


def test_chief_records_for_an_officer_of_the_station(world, client_for):
    """Chief S records a visit by officer A in grid A."""
    response = client_for(world.users["chief_s"]).post(
        VISITS, visit_of(world, person=world.persons["officer_a"].pk)
    )
    assert response.status_code == 201, response.json()
    assert response.json()["person"] == world.persons["officer_a"].pk


def test_chief_works_in_every_grid_of_the_station(world, client_for):
    """Chief S records own visits in grid A and in grid B."""
    client = client_for(world.users["chief_s"])
    for grid in ("A", "B"):
        response = client.post(VISITS, visit_of(world, grid))
        assert response.status_code == 201, response.json()
        assert response.json()["person"] == world.persons["chief_s"].pk


def test_bureau_records_for_an_officer_of_the_bureau(world, client_for):
    """Bureau X records a patrol by officer C in grid C."""
    response = client_for(world.users["bureau_x"]).post(
        PATROLS, patrol_of(world, "C", person=world.persons["officer_c"].pk)
    )
    assert response.status_code == 201, response.json()


def test_bureau_staff_do_not_work_in_grids(world, client_for):
    """Bureau staff recording their own visit get a ``household`` error."""
    count = Visit.objects.count()
    response = client_for(world.users["bureau_x"]).post(VISITS, visit_of(world))
    assert response.status_code == 400
    assert list(response.json()) == ["household"]
    assert Visit.objects.count() == count


def test_superuser_names_the_person(world, client_for):
    """A superuser has no staff record: ``person`` is required."""
    response = client_for(world.users["superuser"]).post(VISITS, visit_of(world))
    assert response.status_code == 400
    assert response.json() == {"person": [str(PERSON_REQUIRED)]}
    response = client_for(world.users["superuser"]).post(
        VISITS, visit_of(world, person=world.persons["officer_a"].pk)
    )
    assert response.status_code == 201, response.json()


#
# The grid worked in, on the day
#


def test_household_outside_the_persons_grids_is_rejected(world, client_for):
    """Chief S recording officer A's visit in grid B is a ``household`` error."""
    count = Visit.objects.count()
    visit = visit_of(world, "B", person=world.persons["officer_a"].pk)
    response = client_for(world.users["chief_s"]).post(VISITS, visit)
    assert response.status_code == 400
    # The visit's own local date: an hour ago is yesterday just after midnight.
    visited_at = datetime.datetime.fromisoformat(visit["visited_at"])
    day = timezone.localdate(visited_at).isoformat()
    assert response.json() == {
        "household": [NOT_WORKING_THERE.format(person="officer_a", date=day)]
    }
    assert Visit.objects.count() == count


def test_household_of_a_foreign_grid_is_unknown(world, client_for):
    """For officer A, a household of grid B fails exactly as a nonexistent one."""
    client = client_for(world.users["officer_a"])
    count = Visit.objects.count()
    foreign = client.post(VISITS, visit_of(world, "B"))
    missing = client.post(VISITS, visit_of(world, household=987654321))
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json()["household"] == [
        message.replace("987654321", str(world.households["B"].pk))
        for message in missing.json()["household"]
    ]
    assert Visit.objects.count() == count


def test_visit_before_the_assignment_is_rejected(world, client_for):
    """Officer A, assigned from 2026-01-01, did not work in grid A the day before."""
    count = Visit.objects.count()
    response = client_for(world.users["officer_a"]).post(
        VISITS, visit_of(world, visited_at=local(2025, 12, 31, 10).isoformat())
    )
    assert response.status_code == 400
    assert response.json() == {
        "household": [NOT_WORKING_THERE.format(person="officer_a", date="2025-12-31")]
    }
    assert Visit.objects.count() == count


def test_visit_on_the_first_day_of_the_assignment(world, client_for):
    """The local date counts: 2026-01-01 08:00 in Shanghai is 2025-12-31 UTC."""
    response = client_for(world.users["officer_a"]).post(
        VISITS, visit_of(world, visited_at="2026-01-01T08:00:00+08:00")
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("url", "payload", "field"),
    [
        (PATROLS, patrol_of, "grid"),
        (INSPECTIONS, inspection_of, "venue"),
        (SERVICES, service_of, "household"),
    ],
    ids=["patrols", "inspections", "services"],
)
def test_other_work_outside_the_persons_grids_is_rejected(
    world, client_for, url, payload, field
):
    """Chief S recording officer A's work in grid B is an error on the place."""
    response = client_for(world.users["chief_s"]).post(
        url, payload(world, "B", person=world.persons["officer_a"].pk)
    )
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_changing_only_the_notes_does_not_recheck_the_grid(world, client_for):
    """A record made before a reassignment can still be annotated."""
    visit = world.visits["A"]
    visit.visited_at = local(2025, 6, 1, 10)
    visit.save()
    response = client_for(world.users["officer_a"]).patch(
        f"{VISITS}{visit.pk}/", {"notes": "补记"}
    )
    assert response.status_code == 200, response.json()


def test_changing_the_time_rechecks_the_grid(world, client_for):
    """Moving a visit to before the assignment is a ``household`` error."""
    visit = world.visits["A"]
    before = visit.visited_at
    response = client_for(world.users["officer_a"]).patch(
        f"{VISITS}{visit.pk}/", {"visited_at": local(2025, 12, 31, 10).isoformat()}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["household"]
    visit.refresh_from_db()
    assert visit.visited_at == before


#
# Bad input: field-level 400, nothing stored
#


RESOURCES = {
    "visits": (VISITS, Visit, visit_of),
    "patrols": (PATROLS, Patrol, patrol_of),
    "inspections": (INSPECTIONS, Inspection, inspection_of),
    "services": (SERVICES, Service, service_of),
}

IN_ONE_HOUR = object()  # replaced by a time an hour from now

BAD_INPUT = [
    ("visits", {"visited_at": IN_ONE_HOUR}, "visited_at", IN_THE_FUTURE),
    ("patrols", {"started_at": IN_ONE_HOUR, "ended_at": None}, "started_at", None),
    ("patrols", {"ended_at": IN_ONE_HOUR}, "ended_at", IN_THE_FUTURE),
    ("patrols", {"ended_at": ago(hours=4)}, "ended_at", END_BEFORE_START),
    ("inspections", {"inspected_at": IN_ONE_HOUR}, "inspected_at", IN_THE_FUTURE),
    ("services", {"served_at": IN_ONE_HOUR}, "served_at", IN_THE_FUTURE),
    ("visits", {"info_items": -1}, "info_items", None),
    ("inspections", {"hazards_found": -1}, "hazards_found", None),
    ("services", {"quantity": 0}, "quantity", None),
    ("visits", {"kind": "party"}, "kind", None),
    ("inspections", {"kind": "party"}, "kind", None),
    ("services", {"kind": "party"}, "kind", None),
    (
        "inspections",
        {"hazards_found": 1, "hazards_removed": 2},
        "hazards_removed",
        REMOVED_MORE_THAN_FOUND,
    ),
    ("visits", {"client_uuid": "not-a-uuid"}, "client_uuid", None),
    ("patrols", {"client_uuid": "12345"}, "client_uuid", None),
    ("visits", {"location": {"type": "Point"}}, "location", None),
    ("visits", {"visited_at": "yesterday"}, "visited_at", None),
]


def _resolve(value):
    if value is IN_ONE_HOUR:
        return from_now(hours=1)
    return value


@pytest.mark.parametrize(
    ("resource", "changes", "field", "message"),
    BAD_INPUT,
    ids=[f"{r}-{f}-{i}" for i, (r, _c, f, _m) in enumerate(BAD_INPUT)],
)
def test_bad_input_is_a_field_error(
    world, client_for, resource, changes, field, message
):
    """Bad input answers 400 with a message on the field and stores nothing."""
    url, model, payload = RESOURCES[resource]
    count = model.objects.count()
    body = payload(world, **{k: _resolve(v) for k, v in changes.items()})
    response = client_for(world.users["officer_a"]).post(url, body)
    assert response.status_code == 400
    assert list(response.json()) == [field]
    if message is not None:
        assert response.json()[field] == [str(message)]
    assert model.objects.count() == count


def test_patrol_ending_when_it_starts_is_rejected(world, client_for):
    """A patrol must end after it starts, not at the same time."""
    start = ago(hours=2)
    response = client_for(world.users["officer_a"]).post(
        PATROLS, patrol_of(world, started_at=start, ended_at=start)
    )
    assert response.status_code == 400
    assert response.json() == {"ended_at": [str(END_BEFORE_START)]}


def test_bad_patch_changes_nothing(world, client_for):
    """A PATCH ending a patrol before its start leaves the patrol unchanged."""
    patrol = world.patrols["A"]
    before = patrol.ended_at
    response = client_for(world.users["officer_a"]).patch(
        f"{PATROLS}{patrol.pk}/",
        {"ended_at": (patrol.started_at - datetime.timedelta(hours=1)).isoformat()},
    )
    assert response.status_code == 400
    assert response.json() == {"ended_at": [str(END_BEFORE_START)]}
    patrol.refresh_from_db()
    assert patrol.ended_at == before


def test_resident_of_another_household_is_rejected(world, client_for):
    """The resident met must live in the visited household."""
    other = HouseholdFactory(grid=world.grids["A"])
    resident = other.residents.create(name="李四", id_number=valid_id_number(7))
    count = Visit.objects.count()
    response = client_for(world.users["officer_a"]).post(
        VISITS, visit_of(world, resident=resident.pk)
    )
    assert response.status_code == 400
    assert response.json() == {"resident": [str(RESIDENT_OF_ANOTHER_HOUSEHOLD)]}
    assert Visit.objects.count() == count


#
# Stopping a patrol
#


def stop_url(patrol) -> str:
    return f"{PATROLS}{patrol.pk}/stop/"


def test_officer_stops_own_patrol(world, client_for):
    """Stopping a running patrol ends it now."""
    patrol = PatrolFactory(
        person=world.persons["officer_a"], grid=world.grids["A"], ended_at=None
    )
    before = timezone.now()
    response = client_for(world.users["officer_a"]).post(stop_url(patrol))
    assert response.status_code == 200, response.json()
    patrol.refresh_from_db()
    assert before <= patrol.ended_at <= timezone.now()
    assert response.json()["duration_hours"] is not None


def test_stopping_a_stopped_patrol_is_rejected(world, client_for):
    """A patrol that has ended cannot be stopped again."""
    patrol = world.patrols["A"]
    before = patrol.ended_at
    response = client_for(world.users["officer_a"]).post(stop_url(patrol))
    assert response.status_code == 400
    assert response.json() == {"ended_at": [str(ALREADY_STOPPED)]}
    patrol.refresh_from_db()
    assert patrol.ended_at == before


def test_colleague_cannot_stop_a_patrol(world, client_for):
    """Auxiliary A sees officer A's patrol but may not stop it."""
    patrol = PatrolFactory(
        person=world.persons["officer_a"], grid=world.grids["A"], ended_at=None
    )
    response = client_for(world.users["auxiliary_a"]).post(stop_url(patrol))
    assert response.status_code == 403
    assert response.json() == {"detail": str(NOT_YOUR_PATROL)}
    patrol.refresh_from_db()
    assert patrol.ended_at is None


def test_chief_stops_an_officers_patrol(world, client_for):
    """Chief S stops officer A's running patrol."""
    patrol = PatrolFactory(
        person=world.persons["officer_a"], grid=world.grids["A"], ended_at=None
    )
    response = client_for(world.users["chief_s"]).post(stop_url(patrol))
    assert response.status_code == 200, response.json()
    patrol.refresh_from_db()
    assert patrol.ended_at is not None


def test_an_administrator_without_staff_record_stops_a_patrol(world, client_for):
    patrol = PatrolFactory(
        person=world.persons["officer_a"], grid=world.grids["A"], ended_at=None
    )
    response = client_for(world.users["superuser"]).post(stop_url(patrol))
    assert response.status_code == 200, response.json()
    patrol.refresh_from_db()
    assert patrol.ended_at is not None


@pytest.mark.parametrize("principal", ["officer_b", "chief_t", "bureau_y"])
def test_patrol_out_of_scope_cannot_be_stopped(world, client_for, principal):
    """A patrol outside the scope answers 404 and keeps running."""
    patrol = PatrolFactory(
        person=world.persons["officer_a"], grid=world.grids["A"], ended_at=None
    )
    response = client_for(world.users[principal]).post(stop_url(patrol))
    assert response.status_code == 404
    patrol.refresh_from_db()
    assert patrol.ended_at is None


@pytest.mark.parametrize(
    ("url", "payload", "time_field"),
    [
        (
            "/api/v1/inspections/",
            lambda w: {"venue": w.venues["A"].pk, "kind": "security"},
            "inspected_at",
        ),
        (
            "/api/v1/services/",
            lambda w: {"grid": w.grids["A"].pk, "kind": "help_request"},
            "served_at",
        ),
    ],
)
def test_inspections_and_services_without_a_time_happened_now(
    world, client_for, url, payload, time_field
):
    """SPEC §4: a field §2 does not name is optional on create."""
    before = timezone.now()
    response = client_for(world.users["officer_a"]).post(url, payload(world))
    assert response.status_code == 201, response.content
    recorded = datetime.datetime.fromisoformat(response.json()[time_field])
    assert before <= recorded <= timezone.now()


@pytest.mark.parametrize(
    "params",
    [
        {"household": "99999999999999999999"},
        {"person": str(2**63)},
        {"visited_after": "9999-12-31T23:59:59-12:00"},
        {"visited_before": "0001-01-01T00:00:00+14:00"},
    ],
)
def test_out_of_range_filters_are_field_errors(world, client_for, params):
    """Numbers and times no database can hold answer 400, not 500."""
    response = client_for(world.users["officer_a"]).get("/api/v1/visits/", params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_a_visit_from_the_doorstep_takes_a_fixed_number_of_queries(
    world, django_assert_num_queries
):
    """The phone's POST is the busiest write: its queries are pinned.

    Token and user, scope (person, grids of today), the household with its
    grid, the person, the model's checks (two related rows, a constraint in
    a savepoint), the insert in savepoints, and the read-back of scope.
    """
    _token, key = AuthToken.objects.create(world.users["officer_a"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    def post():
        return client.post(
            VISITS,
            {
                "household": world.households["A"].pk,
                "visited_at": ago(minutes=5),
                "info_items": 1,
                "client_uuid": str(uuid.uuid4()),
            },
            format="json",
        )

    # The request's own transaction is a savepoint inside the test's.
    with django_assert_num_queries(16):
        assert post().status_code == 201
    assert Visit.objects.filter(person=world.persons["officer_a"]).count() >= 1


def test_a_stop_sent_late_keeps_the_moment_it_was_tapped(world, client_for):
    """A phone offline at the tap sends that moment; a replay changes nothing
    (issue 19, item 4)."""
    started = timezone.now() - datetime.timedelta(hours=3)
    patrol = PatrolFactory(
        person=world.persons["officer_a"],
        grid=world.grids["A"],
        started_at=started,
        ended_at=None,
    )
    client = client_for(world.users["officer_a"])
    tapped = started + datetime.timedelta(hours=2)
    body = {"ended_at": tapped.isoformat()}
    first = client.post(stop_url(patrol), body, format="json")
    assert first.status_code == 200, first.json()
    replay = client.post(stop_url(patrol), body, format="json")
    assert replay.status_code == 200
    assert replay.json()["ended_at"] == first.json()["ended_at"]
    patrol.refresh_from_db()
    assert patrol.ended_at == tapped
    other = {"ended_at": (tapped + datetime.timedelta(minutes=5)).isoformat()}
    refused = client.post(stop_url(patrol), other, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"ended_at": [str(ALREADY_STOPPED)]}


@pytest.mark.parametrize(
    ("offset", "error"),
    [
        (datetime.timedelta(hours=1), IN_THE_FUTURE),
        (-datetime.timedelta(days=1), END_BEFORE_START),
    ],
)
def test_a_stop_in_the_future_or_before_the_start_is_refused(
    world, client_for, offset, error
):
    patrol = PatrolFactory(
        person=world.persons["officer_a"],
        grid=world.grids["A"],
        started_at=timezone.now() - datetime.timedelta(hours=1),
        ended_at=None,
    )
    response = client_for(world.users["officer_a"]).post(
        stop_url(patrol),
        {"ended_at": (timezone.now() + offset).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"ended_at": [str(error)]}
    patrol.refresh_from_db()
    assert patrol.ended_at is None
