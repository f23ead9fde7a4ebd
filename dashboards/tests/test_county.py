"""The county bureau's dashboard: stations side by side, map, ranking."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import InterimAssessment
from assessments.reports.snapshots import take_quota_snapshots
from dashboards.county import county_dashboard
from grids.tests.factories import GridFactory, HouseholdFactory
from policing.periods import IsoWeek, Month
from stations.models import Assignment
from stations.tests.factories import AssignmentFactory, PersonFactory, StationFactory
from visits.tests.factories import VisitFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 18, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def world_time():
    """The module's ``world`` is built at the instant its tests run at."""
    return NOW


def get(client, user, **params):
    client.force_login(user)
    return client.get("/county/", params)


@pytest.mark.parametrize(
    ("user", "status"),
    [
        ("bureau_x", 200),
        ("bureau_y", 200),
        ("superuser", 200),
        ("chief_s", 404),
        ("officer_a", 404),
        ("no_staff", 404),
    ],
)
def test_the_county_dashboard_is_the_bureaus_own(client, world, user, status):
    assert get(client, world.users[user]).status_code == status


def test_bureau_staff_see_their_own_bureau_whatever_they_ask(client, world):
    response = get(client, world.users["bureau_x"], bureau=world.bureaus["Y"].pk)
    board = response.context["board"]
    assert board.bureau == world.bureaus["X"]
    assert [column.station for column in board.stations] == sorted(
        [world.stations["S"], world.stations["T"]], key=lambda s: (s.code, s.pk)
    )


def test_a_superuser_chooses_the_bureau(client, world):
    response = get(client, world.users["superuser"], bureau=world.bureaus["Y"].pk)
    assert response.context["board"].bureau == world.bureaus["Y"]
    assert f'value="{world.bureaus["Y"].pk}" selected' in response.content.decode()


@pytest.mark.parametrize("month", ["2026-13", "garbage", "1899-01", "2026-1"])
def test_a_bad_month_is_a_field_error_not_a_500(client, world, month):
    response = get(client, world.users["bureau_x"], month=month)
    assert response.status_code == 200
    assert "month" in response.context["form"].errors
    assert response.context["board"].month == Month.current()


def test_a_past_month_reads_its_snapshots(client, world):
    october = Month(2026, 10)
    week = IsoWeek.parse("2026-W42")
    with time_machine.travel(week.start + datetime.timedelta(days=2), tick=False):
        VisitFactory(
            person=world.persons["officer_a"],
            household=world.households["A"],
            visited_at=week.start + datetime.timedelta(days=1),
        )
        take_quota_snapshots(week)
    board = county_dashboard(world.bureaus["X"], october)
    by_station = {column.station: column for column in board.stations}
    assert by_station[world.stations["S"]].completion is not None
    assert by_station[world.stations["T"]].completion is not None
    grids = {
        feature["properties"]["id"]: feature["properties"]
        for feature in board.map["grids"]["features"]
    }
    assert set(grids) == {world.grids["A"].pk, world.grids["B"].pk, world.grids["C"].pk}
    assert grids[world.grids["A"].pk]["station"] == world.stations["S"].name
    assert grids[world.grids["A"].pk]["completion"] is not None
    assert board.assessment_status == "interim"


def test_a_month_without_snapshots_has_no_completion(world):
    board = county_dashboard(world.bureaus["X"], Month(2025, 1))
    assert board.completion is None
    assert all(column.completion is None for column in board.stations)


def test_the_ranking_sorts_by_a_column_and_back(client, world):
    ranking = get(client, world.users["bureau_x"]).context["board"].ranking
    names = sorted(row.person_name for row in ranking)
    response = client.get("/county/", {"sort": "name"})
    assert [row["row"].person_name for row in response.context["ranked_rows"]] == names
    response = client.get("/county/", {"sort": "-name"})
    assert [row["row"].person_name for row in response.context["ranked_rows"]] == (
        names[::-1]
    )
    header = {h["key"]: h for h in response.context["headers"]}["name"]
    assert header["state"] == "descending"
    assert "sort=name" in header["url"]


def test_an_unknown_sort_falls_back_to_the_rank(client, world):
    response = get(client, world.users["bureau_x"], sort="password")
    assert response.status_code == 200
    assert response.context["sort"] == "rank"


def test_the_page_offers_the_months_report_files(client, world):
    html = get(client, world.users["bureau_x"], month="2026-10").content.decode()
    assert 'action="/reports/"' in html
    assert 'name="month" value="2026-10"' in html
    assert 'value="xlsx"' in html and 'value="pdf"' in html


def test_the_query_count_does_not_grow_with_the_bureau(
    client, world, django_assert_num_queries
):
    client.force_login(world.users["bureau_x"])
    with CaptureQueriesContext(connection) as computing:
        assert client.get("/county/").status_code == 200
    with CaptureQueriesContext(connection) as reading:
        assert client.get("/county/").status_code == 200

    bureau = world.bureaus["X"]
    for n in range(3):
        station = StationFactory(bureau=bureau)
        area = world.areas["A"].__class__.objects.create(
            station=station, name=f"新社区{n}", kind="community"
        )
        for m in range(2):
            grid = GridFactory(area=area, name=f"新网格{n}{m}")
            person = PersonFactory(station=station, bureau=bureau)
            AssignmentFactory(
                person=person, grid=grid, role=Assignment.Role.RESPONSIBLE
            )
            VisitFactory(
                person=person,
                household=HouseholdFactory(grid=grid, address=f"新路{n}{m}号"),
                visited_at=NOW - datetime.timedelta(hours=1),
            )
    take_quota_snapshots(IsoWeek.containing(NOW.date()))
    InterimAssessment.objects.all().delete()

    with django_assert_num_queries(len(computing.captured_queries)):
        response = client.get("/county/")
    assert len(response.context["board"].stations) == 5
    assert len(response.context["board"].ranking) > 3
    with django_assert_num_queries(len(reading.captured_queries)):
        client.get("/county/")
    # Savepoint and release, session, user, scope, bureau, the county
    # dashboard's queries and the bell (the session, renewed less than a
    # minute ago, is not saved). The first view of the month computes
    # its running assessment (six queries) and keeps it (an update_or_create:
    # six with its savepoints); the later ones read it in one.
    assert len(reading.captured_queries) == 17
    assert len(computing.captured_queries) == 17 + 6 + 6


def test_scores_average_per_station(world):
    board = county_dashboard(world.bureaus["X"], Month(2026, 11))
    for column in board.stations:
        scores = [
            row.score
            for row in board.ranking
            if row.station == column.station.pk and row.score is not None
        ]
        expected = (
            (sum(scores) / len(scores)).quantize(Decimal("0.01")) if scores else None
        )
        assert column.average_score == expected
