"""Idempotent recording by ``client_uuid``, grids worked in, stopping patrols."""

import datetime
import threading
import uuid
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone
from rest_framework.test import APIClient

from grids.tests.factories import GridFactory
from stations.models import Assignment
from stations.tests.factories import AssignmentFactory, PersonFactory, PostFactory
from visits import workflow
from visits.api import CLIENT_UUID_REUSED
from visits.models import Inspection, Patrol, Service, Visit
from visits.tests.factories import PatrolFactory, local

pytestmark = pytest.mark.django_db

VISITS = "/api/v1/visits/"


def ago(**delta) -> str:
    return (timezone.now() - datetime.timedelta(**delta)).isoformat()


def payloads(world) -> dict:
    """Return a valid body per resource for officer A, with a fresh client id."""
    return {
        "visits": (
            Visit,
            {"household": world.households["A"].pk, "visited_at": ago(hours=1)},
        ),
        "patrols": (
            Patrol,
            {
                "grid": world.grids["A"].pk,
                "started_at": ago(hours=3),
                "ended_at": ago(hours=2),
            },
        ),
        "inspections": (
            Inspection,
            {
                "venue": world.venues["A"].pk,
                "inspected_at": ago(hours=1),
                "kind": "security",
            },
        ),
        "services": (
            Service,
            {
                "grid": world.grids["A"].pk,
                "served_at": ago(hours=1),
                "kind": "help_request",
            },
        ),
    }


RESOURCES = ["visits", "patrols", "inspections", "services"]

#
# Idempotent create (SPEC §4, SECURITY G-IN1, G-IN2)
#


@pytest.mark.parametrize("resource", RESOURCES)
def test_replay_returns_the_stored_row(world, client_for, resource):
    """The same body and client id again answers 200 with the same row."""
    model, body = payloads(world)[resource]
    body["client_uuid"] = str(uuid.uuid4())
    client = client_for(world.users["officer_a"])
    count = model.objects.count()

    first = client.post(f"/api/v1/{resource}/", body)
    replay = client.post(f"/api/v1/{resource}/", body)

    assert first.status_code == 201, first.json()
    assert replay.status_code == 200, replay.json()
    assert replay.json() == first.json()
    assert model.objects.count() == count + 1


@pytest.mark.parametrize("resource", RESOURCES)
def test_same_client_id_with_other_data_is_422(world, client_for, resource):
    """The same client id with different notes answers 422 and stores nothing."""
    model, body = payloads(world)[resource]
    body["client_uuid"] = str(uuid.uuid4())
    client = client_for(world.users["officer_a"])
    stored = client.post(f"/api/v1/{resource}/", body).json()
    count = model.objects.count()

    response = client.post(f"/api/v1/{resource}/", body | {"notes": "另一条"})

    assert response.status_code == 422
    assert response.json() == {"client_uuid": [str(CLIENT_UUID_REUSED)]}
    assert model.objects.count() == count
    assert model.objects.get(pk=stored["id"]).notes == ""


def test_replay_without_the_defaults_is_the_same_visit(world, client_for):
    """Fields left out take their defaults, so spelling them out is a replay."""
    key = str(uuid.uuid4())
    client = client_for(world.users["officer_a"])
    body = {
        "household": world.households["A"].pk,
        "visited_at": ago(hours=1),
        "client_uuid": key,
    }
    first = client.post(VISITS, body)
    spelled_out = client.post(
        VISITS, body | {"kind": "routine", "info_items": 0, "notes": ""}
    )
    assert (first.status_code, spelled_out.status_code) == (201, 200)
    assert spelled_out.json()["id"] == first.json()["id"]


def test_replay_in_another_time_zone_is_the_same_visit(world, client_for):
    """The same instant written with another UTC offset is a replay."""
    moment = timezone.now().replace(microsecond=0) - datetime.timedelta(hours=1)
    body = {"household": world.households["A"].pk, "client_uuid": str(uuid.uuid4())}
    client = client_for(world.users["officer_a"])
    first = client.post(VISITS, body | {"visited_at": moment.isoformat()})
    utc = moment.astimezone(datetime.UTC).isoformat()
    replay = client.post(VISITS, body | {"visited_at": utc})
    assert (first.status_code, replay.status_code) == (201, 200)


def test_same_client_id_by_another_person_is_a_separate_visit(world, client_for):
    """Client ids are per person: auxiliary A's visit never returns officer A's."""
    body = {
        "household": world.households["A"].pk,
        "visited_at": ago(hours=1),
        "client_uuid": str(uuid.uuid4()),
    }
    officers = client_for(world.users["officer_a"]).post(VISITS, body)
    auxiliarys = client_for(world.users["auxiliary_a"]).post(VISITS, body)

    assert (officers.status_code, auxiliarys.status_code) == (201, 201)
    assert auxiliarys.json()["id"] != officers.json()["id"]
    assert auxiliarys.json()["person"] == world.persons["auxiliary_a"].pk
    assert Visit.objects.filter(client_uuid=body["client_uuid"]).count() == 2


def test_chief_replaying_an_officers_visit_gets_it(world, client_for):
    """The client id belongs to the person recorded, whoever sends it."""
    body = {
        "person": world.persons["officer_a"].pk,
        "household": world.households["A"].pk,
        "visited_at": ago(hours=1),
        "client_uuid": str(uuid.uuid4()),
    }
    first = client_for(world.users["officer_a"]).post(VISITS, body)
    replay = client_for(world.users["chief_s"]).post(VISITS, body)
    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json()["id"] == first.json()["id"]


def test_visit_without_client_id_gets_one(world, client_for):
    """Without a client id, every POST is a new visit with its own id."""
    body = {"household": world.households["A"].pk, "visited_at": ago(hours=1)}
    client = client_for(world.users["officer_a"])
    first, second = client.post(VISITS, body), client.post(VISITS, body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json()["client_uuid"] != second.json()["client_uuid"]


def test_changing_a_client_id_to_a_stored_one_is_a_field_error(world, client_for):
    """On update a client id already used by the person is a 400, not a merge."""
    visit = world.visits["A"]
    other = Visit.objects.create(
        person=visit.person,
        household=visit.household,
        grid=visit.grid,
        visited_at=visit.visited_at,
    )
    response = client_for(world.users["officer_a"]).patch(
        f"{VISITS}{other.pk}/", {"client_uuid": str(visit.client_uuid)}
    )
    assert response.status_code == 400
    other.refresh_from_db()
    assert other.client_uuid != visit.client_uuid


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent transactions"
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_store_one_visit(world):
    """8 identical POSTs at once: one 201, seven 200 with the same visit."""
    body = {
        "household": world.households["A"].pk,
        "visited_at": ago(hours=1),
        "info_items": 2,
        "client_uuid": str(uuid.uuid4()),
    }
    user_pk = world.users["officer_a"].pk
    start = threading.Barrier(8)
    answers = []

    def post():
        try:
            client = APIClient()
            client.force_authenticate(get_user_model().objects.get(pk=user_pk))
            start.wait()
            response = client.post(VISITS, body)
            answers.append((response.status_code, response.json().get("id")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(status for status, _pk in answers) == {201: 1, 200: 7}
    assert len({pk for _status, pk in answers}) == 1
    assert Visit.objects.filter(client_uuid=body["client_uuid"]).count() == 1


#
# The grids a person works in on a day
#


def test_works_in_the_assigned_grid(world):
    """Officer A works in grid A, not in grid B."""
    officer = world.persons["officer_a"]
    today = timezone.localdate()
    assert workflow.works_in(officer, world.grids["A"], on=today)
    assert not workflow.works_in(officer, world.grids["B"], on=today)


def test_works_in_only_while_assigned(world):
    """An assignment counts from its start to its end, both inclusive."""
    officer = world.persons["officer_a"]
    grid = GridFactory(area=world.areas["A"])
    AssignmentFactory(
        person=officer,
        grid=grid,
        role=Assignment.Role.ASSISTANT,
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 3, 31),
    )
    assert not workflow.works_in(officer, grid, on=datetime.date(2026, 2, 28))
    assert workflow.works_in(officer, grid, on=datetime.date(2026, 3, 1))
    assert workflow.works_in(officer, grid, on=datetime.date(2026, 3, 31))
    assert not workflow.works_in(officer, grid, on=datetime.date(2026, 4, 1))


def test_works_in_the_grids_served_by_the_post(world):
    """A person assigned to a post works in the grids of the areas it serves."""
    person = PersonFactory(station=world.stations["S"])
    post = PostFactory(station=world.stations["S"])
    post.serves.set([world.areas["B"]])
    AssignmentFactory(person=person, post=post)
    today = timezone.localdate()
    assert workflow.works_in(person, world.grids["B"], on=today)
    assert not workflow.works_in(person, world.grids["A"], on=today)


def test_chief_works_in_every_grid_of_the_station(world):
    """Chief S works in grids A and B without assignments, not in grid C."""
    chief = world.persons["chief_s"]
    day = datetime.date(2025, 6, 1)
    assert workflow.works_in(chief, world.grids["A"], on=day)
    assert workflow.works_in(chief, world.grids["B"], on=day)
    assert not workflow.works_in(chief, world.grids["C"], on=day)


#
# Stopping a patrol
#


def test_stop_patrol_ends_it_at_the_given_time(world):
    """The patrol ends at the time given."""
    patrol = PatrolFactory(
        person=world.persons["officer_a"],
        grid=world.grids["A"],
        started_at=local(2026, 11, 1, 20),
        ended_at=None,
    )
    stopped = workflow.stop_patrol(
        patrol, by=world.persons["officer_a"], at=local(2026, 11, 1, 23)
    )
    assert stopped.ended_at == local(2026, 11, 1, 23)
    patrol.refresh_from_db()
    assert patrol.duration == datetime.timedelta(hours=3)


def test_stop_patrol_before_its_start_is_rejected(world):
    """A patrol cannot end before it started."""
    patrol = PatrolFactory(
        person=world.persons["officer_a"],
        grid=world.grids["A"],
        started_at=local(2026, 11, 1, 20),
        ended_at=None,
    )
    with pytest.raises(ValidationError, match="The end must be after the start"):
        workflow.stop_patrol(
            patrol, by=world.persons["officer_a"], at=local(2026, 11, 1, 19)
        )
    patrol.refresh_from_db()
    assert patrol.ended_at is None


def test_stop_patrol_twice_is_rejected(world):
    """A stopped patrol cannot be stopped again."""
    patrol = world.patrols["A"]
    with pytest.raises(ValidationError, match="already ended"):
        workflow.stop_patrol(patrol, by=world.persons["officer_a"])


def test_colleague_may_not_stop_a_patrol(world):
    """Field staff stop only their own patrols."""
    patrol = PatrolFactory(
        person=world.persons["officer_a"], grid=world.grids["A"], ended_at=None
    )
    with pytest.raises(PermissionDenied):
        workflow.stop_patrol(patrol, by=world.persons["auxiliary_a"])
    patrol.refresh_from_db()
    assert patrol.ended_at is None
