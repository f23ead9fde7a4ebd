"""Bad input of SPEC §7 on the organisation resources: 400 on the field, nothing stored.

Each payload is valid but for the one field named; the requester is the
bureau user of bureau X, who may write bureau-level and station records.
"""

import pytest

from stations.models import Assignment, Bureau, Person, Post, Station
from stations.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def station_payload(w, **changes):
    return {"name": "新派出所", "code": "X-NEW", "bureau": w.bureaus["X"].pk} | changes


def post_payload(w, **changes):
    return {
        "name": "新警务室",
        "kind": "community_office",
        "station": w.stations["S"].pk,
    } | changes


def person_payload(w, **changes):
    return {
        "name": "新民警",
        "kind": "officer",
        "station": w.stations["S"].pk,
        "badge_number": "990001",
    } | changes


def assignment_payload(w, **changes):
    return {
        "person": w.persons["officer_b"].pk,
        "grid": w.grids["A"].pk,
        "role": "assistant",
        "start": "2026-01-01",
    } | changes


RESOURCES = {
    "stations": (Station, station_payload),
    "posts": (Post, post_payload),
    "persons": (Person, person_payload),
    "assignments": (Assignment, assignment_payload),
}

BAD_INPUT = [
    ("stations", {"location": {"type": "Point", "coordinates": [200, 0]}}, "location"),
    ("stations", {"location": {"type": "Point"}}, "location"),
    ("stations", {"name": ""}, "name"),
    ("posts", {"kind": "castle"}, "kind"),
    ("posts", {"station": "abc"}, "station"),
    ("persons", {"kind": "sheriff"}, "kind"),
    ("persons", {"phone": "12345"}, "phone"),
    ("assignments", {"role": "boss"}, "role"),
    ("assignments", {"start": "2026-02-01", "end": "2026-01-01"}, "end"),
    ("assignments", {"start": "not a date"}, "start"),
]


@pytest.mark.parametrize(
    ("resource", "changes", "field"),
    BAD_INPUT,
    ids=[f"{r}-{f}-{i}" for i, (r, _c, f) in enumerate(BAD_INPUT)],
)
def test_bad_input_is_a_field_error(world, client_for, resource, changes, field):
    model, payload = RESOURCES[resource]
    count = model.objects.count()
    response = client_for(world.users["bureau_x"]).post(
        f"/api/v1/{resource}/", payload(world, **changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert model.objects.count() == count


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_the_valid_payload_is_accepted(world, client_for, resource):
    """The payloads above are valid but for the field each test spoils."""
    _model, payload = RESOURCES[resource]
    response = client_for(world.users["bureau_x"]).post(
        f"/api/v1/{resource}/", payload(world), format="json"
    )
    assert response.status_code == 201, response.content


def test_a_bureau_with_a_taken_code_is_refused(world, client_for):
    count = Bureau.objects.count()
    response = client_for(world.users["superuser"]).post(
        "/api/v1/bureaus/",
        {"name": "重名", "code": world.bureaus["X"].code},
        format="json",
    )
    assert response.status_code == 400
    assert "code" in response.json()
    assert Bureau.objects.count() == count


#
# Appointing chiefs (issue 27, item 6)
#


def test_a_chief_cannot_make_another_person_a_chief(world, client_for):
    person = world.persons["officer_a"]
    response = client_for(world.users["chief_s"]).patch(
        f"/api/v1/persons/{person.pk}/", {"is_chief": True}
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert not person.is_chief


def test_a_chief_cannot_create_a_chief_nor_unmake_one(world, client_for):
    client = client_for(world.users["chief_s"])
    created = client.post(
        "/api/v1/persons/",
        {
            "name": "新所长",
            "kind": "officer",
            "station": world.stations["S"].pk,
            "is_chief": True,
        },
    )
    assert created.status_code == 403
    me = world.persons["chief_s"]
    assert (
        client.patch(f"/api/v1/persons/{me.pk}/", {"is_chief": False}).status_code
        == 403
    )
    # Other fields stay the chief's to edit, the flag sent unchanged too.
    person = world.persons["officer_a"]
    response = client.patch(
        f"/api/v1/persons/{person.pk}/", {"name": "改名", "is_chief": False}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("user", ["bureau_x", "superuser"])
def test_bureau_staff_and_superusers_appoint_chiefs(world, client_for, user):
    person = world.persons["officer_a"]
    response = client_for(world.users[user]).patch(
        f"/api/v1/persons/{person.pk}/", {"is_chief": True}
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.is_chief


#
# Linking a login to a person (issue 19, item 16)
#


def test_a_superuser_links_a_login_to_a_person(world, client_for):
    login = UserFactory(username="provisioned")
    person = world.persons["officer_a"]
    response = client_for(world.users["superuser"]).patch(
        f"/api/v1/persons/{person.pk}/", {"user": login.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["user"] == login.pk
    person.refresh_from_db()
    assert person.user == login


def test_a_login_linked_elsewhere_is_a_field_error(world, client_for):
    person = world.persons["officer_a"]
    taken = world.users["officer_b"]
    response = client_for(world.users["superuser"]).patch(
        f"/api/v1/persons/{person.pk}/", {"user": taken.pk}, format="json"
    )
    assert response.status_code == 400
    assert "user" in response.json()
    person.refresh_from_db()
    assert person.user == world.users["officer_a"]


@pytest.mark.parametrize("principal", ["bureau_x", "chief_s"])
@pytest.mark.parametrize("value", ["spare", "missing", None])
def test_nobody_else_links_or_unlinks_a_login(world, client_for, principal, value):
    """The refusal is the same for an unknown id: it tells no user ids."""
    login = {"spare": UserFactory(username="spare").pk, "missing": 10**9}
    person = world.persons["officer_a"]
    response = client_for(world.users[principal]).patch(
        f"/api/v1/persons/{person.pk}/",
        {"user": login.get(value)},
        format="json",
    )
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.user == world.users["officer_a"]


def test_the_login_a_person_has_may_be_sent_back(world, client_for):
    """A PUT of what a GET returned keeps working for bureau staff."""
    client = client_for(world.users["bureau_x"])
    url = f"/api/v1/persons/{world.persons['officer_a'].pk}/"
    body = client.get(url).json()
    body["name"] = "改名"
    response = client.put(url, body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["user"] == world.users["officer_a"].pk
