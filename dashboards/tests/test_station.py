"""The station chief's dashboard: its figures, its scope and its query count."""

import datetime
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.station import station_dashboard
from disputes.tests.factories import DisputeFactory
from grids.models import Grid
from grids.tests.factories import GridFactory, HouseholdFactory, ResidentFactory
from stations.models import Assignment
from stations.tests.factories import AssignmentFactory, PersonFactory
from visits.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: Wednesday of ISO week 2026-W47, local noon: three days of the week gone.
WEDNESDAY = datetime.datetime(2026, 11, 18, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def wednesday():
    """Freeze time before the world is built, so its records fall this week."""
    with time_machine.travel(WEDNESDAY, tick=False):
        yield


@pytest.fixture(scope="module")
def world_time():
    """The module's ``world`` is built at the instant its tests run at."""
    return WEDNESDAY


def page(client, user, station, **params):
    client.force_login(user)
    return client.get(f"/stations/{station.pk}/", params)


def test_the_chief_lands_on_their_station(client, world):
    client.force_login(world.users["chief_s"])
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == f"/stations/{world.stations['S'].pk}/"
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("user", "landing"),
    [("officer_a", "/field/"), ("bureau_x", "/county/"), ("superuser", "/county/")],
)
def test_each_role_lands_on_its_page(client, world, user, landing):
    client.force_login(world.users[user])
    assert client.get("/").url == landing


@pytest.mark.parametrize(
    ("user", "station", "status"),
    [
        ("chief_s", "S", 200),
        ("chief_s", "T", 404),
        ("chief_t", "T", 200),
        ("bureau_x", "S", 200),
        ("bureau_x", "T", 200),
        ("bureau_y", "S", 404),
        ("superuser", "U", 200),
        ("officer_a", "S", 404),
        ("auxiliary_a", "S", 404),
        ("no_staff", "S", 404),
    ],
)
def test_a_station_dashboard_is_seen_by_its_chief_and_bureau_only(
    client, world, user, station, status
):
    assert page(client, world.users[user], world.stations[station]).status_code == (
        status
    )


def test_an_out_of_scope_station_answers_like_a_missing_one(client, world):
    client.force_login(world.users["chief_s"])
    other = client.get(f"/stations/{world.stations['T'].pk}/")
    missing = client.get("/stations/999999/")
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content


def test_anonymous_is_sent_to_log_in(client, world):
    response = client.get(f"/stations/{world.stations['S'].pk}/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_the_figures_count_this_station_only(world):
    station = world.stations["S"]
    last_week = WEDNESDAY - datetime.timedelta(days=7)
    VisitFactory(
        person=world.persons["officer_a"],
        household=world.households["A"],
        visited_at=last_week,
    )
    VisitFactory(  # station T: never on S's dashboard
        person=world.persons["officer_c"],
        household=world.households["C"],
        visited_at=WEDNESDAY - datetime.timedelta(hours=1),
    )
    board = station_dashboard(station)

    assert (board.visits_this_week, board.visits_last_week) == (2, 1)
    assert board.expected_completion == round(3 / 7, 4)
    assert {row.person_name for row in board.quotas} == {
        "officer_a",
        "auxiliary_a",
        "officer_b",
    }
    per_day = dict(board.visits_per_day)
    assert per_day[WEDNESDAY.date()] == 2
    assert per_day[last_week.date()] == 1
    assert max(per_day) == WEDNESDAY.date()  # nothing after today
    assert len(per_day) == 7 * 7 + 3
    assert board.disputes.open == 2
    assert board.cases_total == 2
    grids = board.map["grids"]["features"]
    assert {feature["properties"]["id"] for feature in grids} == {
        world.grids["A"].pk,
        world.grids["B"].pk,
    }
    assert len(board.map["disputes"]["features"]) == 2
    assert len(board.map["posts"]["features"]) == (
        1 if world.posts["S"].location else 0
    )


def test_a_grid_is_coloured_by_the_mean_completion_of_its_staff(world):
    board = station_dashboard(world.stations["S"])
    completion = {row.person_name: row.completion for row in board.quotas}
    colour = {
        feature["properties"]["id"]: feature["properties"]["completion"]
        for feature in board.map["grids"]["features"]
    }
    expected_a = (completion["officer_a"] + completion["auxiliary_a"]) / 2
    assert colour[world.grids["A"].pk] == pytest.approx(expected_a, abs=1e-4)
    assert colour[world.grids["B"].pk] == completion["officer_b"]


def test_a_grid_without_staff_has_no_colour(world):
    empty = GridFactory(area=world.areas["A"], name="空网格")
    board = station_dashboard(world.stations["S"])
    colours = {
        feature["properties"]["id"]: feature["properties"]["completion"]
        for feature in board.map["grids"]["features"]
    }
    assert colours[empty.pk] is None


def test_people_under_the_expected_share_of_the_week_are_behind(world):
    board = station_dashboard(world.stations["S"])
    assert [row.person_name for row in board.behind] == sorted(
        (row.person_name for row in board.quotas if row.completion < 3 / 7),
        key=lambda name: next(
            row.completion for row in board.quotas if row.person_name == name
        ),
    )
    assert "auxiliary_a" in {row.person_name for row in board.behind}


def test_overdue_disputes_are_listed_and_counted(world):
    late = DisputeFactory(
        grid=world.grids["B"],
        reported_by=world.persons["officer_b"],
        reported_at=WEDNESDAY - datetime.timedelta(days=5),
        first_contact_due=WEDNESDAY - datetime.timedelta(days=4),
    )
    board = station_dashboard(world.stations["S"])
    assert board.disputes.overdue == 1
    assert [dispute.pk for dispute in board.overdue_disputes] == [late.pk]
    overdue = [
        feature["properties"]["id"]
        for feature in board.map["disputes"]["features"]
        if feature["properties"]["overdue"]
    ]
    assert overdue == [late.pk]


def test_key_persons_due_are_listed(client, world):
    ResidentFactory(household=world.households["B"], name="重点甲", is_key_person=True)
    response = page(client, world.users["chief_s"], world.stations["S"])
    html = response.content.decode()
    assert "重点甲" in html


def embedded(html: str, element_id: str):
    """Return the JSON a page embeds with json_script under ``element_id``."""
    match = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>', html
    )
    return json.loads(match.group(1))


def test_the_page_embeds_the_map_and_charts_as_json(client, world):
    response = page(client, world.users["chief_s"], world.stations["S"])
    assert response.status_code == 200
    html = response.content.decode()
    grids = embedded(html, "map-data")["grids"]["features"]
    assert sorted(feature["properties"]["name"] for feature in grids) == [
        "网格A",
        "网格B",
    ]
    charts = embedded(html, "chart-data")
    assert charts["completion_per_person"]["categories"] == [
        "auxiliary_a",
        "officer_a",
        "officer_b",
    ]
    assert len(charts["visits_per_day"]["series"][0]["data"]) == 7 * 7 + 3
    # Scripts come from files only: the CSP allows no inline script.
    assert re.findall(r"<script(?![^>]*(?:src=|application/json))", html) == []


def test_an_empty_station_shows_empty_states(client, world):
    from stations.tests.factories import StationFactory

    station = StationFactory(bureau=world.bureaus["X"])
    response = page(client, world.users["bureau_x"], station)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="empty"' in html
    assert response.context["board"].quotas == []


def test_the_query_count_does_not_grow_with_the_station(
    client, world, django_assert_num_queries
):
    chief = world.users["chief_s"]
    station = world.stations["S"]
    client.force_login(chief)
    with CaptureQueriesContext(connection) as small:
        assert client.get(f"/stations/{station.pk}/").status_code == 200

    for n in range(5):
        grid = GridFactory(area=world.areas["A"], name=f"新网格{n}")
        person = PersonFactory(station=station, bureau=station.bureau)
        AssignmentFactory(person=person, grid=grid, role=Assignment.Role.RESPONSIBLE)
        for m in range(3):
            household = HouseholdFactory(grid=grid, address=f"新路{n}-{m}号")
            ResidentFactory(household=household, is_key_person=True)
            VisitFactory(
                person=person,
                household=household,
                visited_at=WEDNESDAY - datetime.timedelta(days=m),
            )
        DisputeFactory(grid=grid, reported_by=person, reported_at=WEDNESDAY)
    assert Grid.objects.filter(area__station=station).count() == 7

    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(f"/stations/{station.pk}/").status_code == 200
    # Savepoint and release, session, user, scope, station, the 14 of
    # station_dashboard(), the bell's unread count and the page's few extras.
    # The session is not saved: it was renewed less than a minute ago.
    assert len(small.captured_queries) == 21


#
# The lists in full (issue 19, item 7)
#


def staff_of_grid_a(world, count):
    station = world.stations["S"]
    for n in range(count):
        person = PersonFactory(
            station=station, bureau=station.bureau, name=f"民警{n:02d}"
        )
        AssignmentFactory(person=person, grid=world.grids["A"], role="assistant")


def names_in(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<tr data-person="\d+"><td>([^<]+)</td>', html)


def test_the_behind_list_opens_in_full_searchable_and_paged(client, world):
    staff_of_grid_a(world, 60)
    dashboard = page(client, world.users["chief_s"], world.stations["S"])
    full = f"/stations/{world.stations['S'].pk}/behind/"
    assert f'href="{full}" data-full-list="behind"' in dashboard.content.decode()

    first = client.get(full)
    assert first.status_code == 200
    assert len(names_in(first)) == 50
    second = client.get(full, {"page": 2})
    assert len(set(names_in(first)) | set(names_in(second))) == len(
        dashboard.context["board"].behind
    )
    assert names_in(client.get(full, {"q": "民警07"})) == ["民警07"]
    # Another station's chief gets what an unknown station gets.
    client.force_login(world.users["chief_t"])
    assert client.get(full).status_code == 404


def test_the_key_persons_due_open_in_full(client, world):
    household = world.households["A"]
    for n in range(12):
        ResidentFactory(household=household, is_key_person=True, name=f"重点{n:02d}")
    client.force_login(world.users["chief_s"])
    dashboard = client.get(f"/stations/{world.stations['S'].pk}/").content.decode()
    full = f"/stations/{world.stations['S'].pk}/contacts-due/"
    assert f'href="{full}" data-full-list="contacts-due"' in dashboard
    html = client.get(full).content.decode()
    assert len(re.findall(r'<li data-resident="\d+">', html)) >= 12
    searched = client.get(full, {"q": "重点03"}).content.decode()
    assert len(re.findall(r'<li data-resident="\d+">', searched)) == 1


def test_the_completion_chart_puts_the_furthest_behind_on_top(client, world):
    staff_of_grid_a(world, 3)
    response = page(client, world.users["chief_s"], world.stations["S"])
    chart = response.context["charts"]["completion_per_person"]
    assert chart["series"][0]["data"] == sorted(chart["series"][0]["data"])
    assert chart["row_per_category"] and chart["marker_label"]
