"""The officer's phone pages."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grids.tests.factories import ResidentFactory
from visits.models import Visit
from visits.tests.factories import PatrolFactory, VisitFactory

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pages_need_a_login(client):
    """Anonymous visitors are sent to the login page."""
    response = client.get("/field/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_logins_without_staff_record_are_refused(world):
    """A login that is not a member of staff gets 403."""
    assert logged_in(world.users["no_staff"]).get("/field/").status_code == 403


def test_home_sends_field_staff_to_their_week(world):
    """After login an officer lands on "my week"; a chief on the station."""
    response = logged_in(world.users["officer_a"]).get("/")
    assert response.status_code == 302
    assert response.url == "/field/"
    assert logged_in(world.users["chief_s"]).get("/").url == "/stations/"


def test_my_week_shows_progress_against_targets(world):
    """The bars count this week's distinct households and summed items."""
    officer = world.persons["officer_a"]
    household = ResidentFactory(household__grid=world.grids["A"]).household
    page = logged_in(world.users["officer_a"])

    def bars():
        response = page.get("/field/")
        assert response.status_code == 200
        return {bar["name"]: bar for bar in response.context["progress"]}

    before = bars()
    moment = timezone.now() - datetime.timedelta(minutes=5)
    VisitFactory(person=officer, household=household, visited_at=moment, info_items=3)
    VisitFactory(person=officer, household=household, visited_at=moment, info_items=2)
    after = bars()

    assert (
        after["household_visits"]["actual"] == before["household_visits"]["actual"] + 1
    )
    assert after["info_items"]["actual"] == before["info_items"]["actual"] + 5
    assert after["household_visits"]["target"] == 20
    assert household.address in page.get("/field/").content.decode()


def test_my_week_lists_key_persons_due(world):
    """A key person never contacted is due for all three contacts."""
    resident = ResidentFactory(
        household=world.households["A"],
        is_key_person=True,
        key_person_category="released_prisoner",
    )
    response = logged_in(world.users["officer_a"]).get("/field/")
    due = [c for c in response.context["contacts_due"] if c.resident_id == resident.pk]
    assert {c.kind for c in due} == {
        Visit.Kind.KEY_PERSON_MEETING,
        Visit.Kind.KEY_PERSON_TALK,
        Visit.Kind.KEY_PERSON_REVIEW,
    }
    html = response.content.decode()
    assert f"household={resident.household_id}&amp;resident={resident.pk}" in html


def test_key_person_met_this_week_is_not_due_for_a_meeting(world):
    """A meeting logged this week clears the weekly meeting only."""
    resident = ResidentFactory(
        household=world.households["A"], is_key_person=True, key_person_category="other"
    )
    VisitFactory(
        person=world.persons["officer_a"],
        household=world.households["A"],
        resident=resident,
        kind=Visit.Kind.KEY_PERSON_MEETING,
        visited_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    response = logged_in(world.users["officer_a"]).get("/field/")
    kinds = {
        c.kind for c in response.context["contacts_due"] if c.resident_id == resident.pk
    }
    assert kinds == {Visit.Kind.KEY_PERSON_TALK, Visit.Kind.KEY_PERSON_REVIEW}


def test_key_persons_of_other_grids_are_not_shown(world):
    """Officer B does not see grid A's key persons."""
    resident = ResidentFactory(
        household=world.households["A"], is_key_person=True, key_person_category="other"
    )
    response = logged_in(world.users["officer_b"]).get("/field/")
    assert all(c.resident_id != resident.pk for c in response.context["contacts_due"])


def test_running_patrol_offers_stop(world):
    """A running patrol shows a stop button instead of the start form."""
    patrol = PatrolFactory(
        person=world.persons["officer_a"],
        grid=world.grids["A"],
        started_at=timezone.now() - datetime.timedelta(hours=1),
        ended_at=None,
    )
    html = logged_in(world.users["officer_a"]).get("/field/").content.decode()
    assert f'data-patrol-stop="{patrol.pk}"' in html
    assert "data-patrol-start" not in html


def test_my_week_query_count_does_not_grow_with_work(world):
    """The page costs the same queries with 2 visits or 40."""

    def count():
        client = Client()
        client.force_login(get_user_model().objects.get(username="officer_a"))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/field/").status_code == 200
        return len(queries)

    officer = world.persons["officer_a"]
    moment = timezone.now() - datetime.timedelta(minutes=5)
    VisitFactory.create_batch(
        2, person=officer, household=world.households["A"], visited_at=moment
    )
    before = count()
    VisitFactory.create_batch(
        38, person=officer, household=world.households["A"], visited_at=moment
    )
    ResidentFactory.create_batch(
        5,
        household=world.households["A"],
        is_key_person=True,
        key_person_category="other",
    )
    assert count() == before


def test_visit_form_prefills_a_household_in_scope_only(world):
    """The "log contact" link pre-fills the household; another grid's is ignored."""
    client = logged_in(world.users["officer_a"])
    own = client.get(
        f"/field/visits/new/?household={world.households['A'].pk}&kind=key_person_talk"
    )
    assert own.context["household"] == world.households["A"]
    assert own.context["kind"] == "key_person_talk"
    other = client.get(
        f"/field/visits/new/?household={world.households['B'].pk}&kind=bogus"
    )
    assert other.context["household"] is None
    assert other.context["kind"] == "routine"


def test_login_page_logs_in_and_lands_on_my_week(world, client):
    """The login form takes officers to their week."""
    response = client.post(
        "/accounts/login/",
        {"username": "officer_a", "password": "correct-horse-battery-staple"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/field/"


def test_inspection_form_offers_only_venues_of_own_grids(world):
    """Officer A chooses among grid A's venues only."""
    response = logged_in(world.users["officer_a"]).get("/field/inspections/new/")
    assert response.status_code == 200
    assert list(response.context["venues"]) == [world.venues["A"]]
    assert response.context["api_url"] == "/api/v1/inspections/"


def test_service_form_offers_only_own_grids(world):
    """Officer A records services in grid A only."""
    response = logged_in(world.users["officer_a"]).get("/field/services/new/")
    assert response.status_code == 200
    assert list(response.context["grids"]) == [world.grids["A"]]
