"""Nightly quota and coverage snapshots, their idempotence and their trends.

The clock is frozen on Wednesday 2026-11-18 03:00 local time (week
2026-W47, whose Monday is 11-16; W46 starts 11-09).
"""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import CoverageSnapshot, QuotaSnapshot
from assessments.reports import snapshots
from assessments.tasks import take_nightly_snapshots
from grids.tests.factories import AreaFactory, GridFactory, HouseholdFactory
from policing.periods import IsoWeek, Month
from stations.models import Assignment, Person
from stations.tests.factories import (
    AssignmentFactory,
    PersonFactory,
    StationFactory,
    UserFactory,
)
from visits.tests.factories import PatrolFactory, VisitFactory, local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 18, 3)
W47 = IsoWeek(2026, 47)
W46 = IsoWeek(2026, 46)
URL = "/api/v1/metrics/trends/"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def station():
    """Station S: officer P responsible for grid A, auxiliary Q assisting.

    The chief holds an assignment too but is not tracked; L left in
    October. P visits 20 households in W46 with 20 info items and patrols
    28 h (quota met); in W47 P visits 5 households so far.
    """
    s = StationFactory()
    grid = GridFactory(area=AreaFactory(station=s))
    since = datetime.date(2026, 1, 1)

    def staff(name, **kwargs):
        end = kwargs.pop("end", None)
        person = PersonFactory(name=name, station=s, **kwargs)
        AssignmentFactory(person=person, grid=grid, start=since, end=end)
        return person

    p = staff("P警官")
    q = staff("Q辅警", kind=Person.Kind.AUXILIARY)
    staff("S所长", is_chief=True)
    staff("L警官", end=datetime.date(2026, 10, 31))
    Assignment.objects.filter(person=q).update(role=Assignment.Role.ASSISTANT)
    households = HouseholdFactory.create_batch(20, grid=grid)
    for n, household in enumerate(households):
        VisitFactory(
            person=p,
            household=household,
            visited_at=local(2026, 11, 10 + n % 5, 9),
            info_items=1,
        )
    for day in range(10, 14):  # 4 x 7 h
        PatrolFactory(
            person=p,
            grid=grid,
            started_at=local(2026, 11, day, 8),
            ended_at=local(2026, 11, day, 15),
        )
    for household in households[:5]:
        VisitFactory(
            person=p,
            household=household,
            visited_at=local(2026, 11, 16, 9),
            info_items=1,
        )
    return {"station": s, "grid": grid, "p": p, "q": q}


def test_quota_snapshot_stores_the_tracked_persons_figures(station):
    assert snapshots.take_quota_snapshots(W46) == 2
    rows = {row.person_id: row for row in QuotaSnapshot.objects.all()}
    p, q = rows[station["p"].pk], rows[station["q"].pk]
    assert p.week_start == datetime.date(2026, 11, 9)
    assert (p.household_visits, p.info_items, p.patrol_hours, p.grid_days) == (
        20,
        20,
        Decimal("28.00"),
        5,  # visits Monday to Friday
    )
    assert p.met is True
    assert p.completion == Decimal("1.0000")
    assert p.station_id == station["station"].pk
    assert p.bureau_id == station["station"].bureau_id
    assert (q.household_visits, q.met, q.completion) == (0, False, Decimal("0"))


def test_taking_a_snapshot_again_replaces_the_week(station):
    snapshots.take_quota_snapshots(W47)
    VisitFactory(
        person=station["p"],
        household=HouseholdFactory(grid=station["grid"]),
        visited_at=local(2026, 11, 17, 9),
    )
    assert snapshots.take_quota_snapshots(W47) == 2
    assert QuotaSnapshot.objects.filter(week_start=W47.monday).count() == 2
    p = QuotaSnapshot.objects.get(person=station["p"], week_start=W47.monday)
    assert p.household_visits == 6


def test_coverage_snapshot_holds_the_counts_of_the_rates(station):
    assert snapshots.take_coverage_snapshots(datetime.date(2026, 11, 18)) == 1
    row = CoverageSnapshot.objects.get()
    assert (row.grids, row.grids_with_officer) == (1, 1)
    assert row.officers == 3  # P, the chief and L (a person record counts)
    assert snapshots.take_coverage_snapshots(datetime.date(2026, 11, 18)) == 1
    assert CoverageSnapshot.objects.count() == 1


def test_the_nightly_task_takes_both_weeks_and_today_and_is_idempotent(station):
    expected = {"quotas": 4, "coverage": 1}
    assert take_nightly_snapshots.delay().get() == expected
    assert take_nightly_snapshots.delay().get() == expected
    assert QuotaSnapshot.objects.count() == 4
    assert set(QuotaSnapshot.objects.values_list("week_start", flat=True)) == {
        W46.monday,
        W47.monday,
    }
    assert CoverageSnapshot.objects.get().day == datetime.date(2026, 11, 18)


def test_quota_trend_is_the_mean_completion_per_week_with_gaps(station):
    snapshots.take_quota_snapshots(W46)
    snapshots.take_quota_snapshots(W47)
    with CaptureQueriesContext(connection) as queries:
        points = snapshots.quota_trend(QuotaSnapshot.objects.all(), until=W47, weeks=3)
    assert len(queries) == 1
    assert [point.week for point in points] == ["2026-W45", "2026-W46", "2026-W47"]
    assert points[0].completion is None and points[0].persons == 0
    # W46: P 1.0, Q 0 -> 0.5. W47 so far: P has 5/20 households, 5/20
    # items, 0/28 h and 1/1 grid day -> 0.375; Q 0 -> 0.1875.
    assert (points[1].persons, points[1].met, points[1].completion) == (2, 1, 0.5)
    assert points[2].completion == 0.1875


def test_coverage_trend_uses_each_months_last_snapshot(station):
    snapshots.take_coverage_snapshots(datetime.date(2026, 10, 5))
    snapshots.take_coverage_snapshots(datetime.date(2026, 10, 30))
    Assignment.objects.filter(grid=station["grid"]).update(
        end=datetime.date(2026, 11, 1)
    )
    snapshots.take_coverage_snapshots(datetime.date(2026, 11, 18))
    with CaptureQueriesContext(connection) as queries:
        points = snapshots.coverage_trend(
            CoverageSnapshot.objects.all(), until=Month(2026, 11), months=3
        )
    assert len(queries) == 2
    assert [(p.month, p.day) for p in points] == [
        ("2026-09", None),
        ("2026-10", datetime.date(2026, 10, 30)),
        ("2026-11", datetime.date(2026, 11, 18)),
    ]
    assert points[0].coverage is None
    assert points[1].coverage.grid_officer_coverage.rate == 1.0
    assert points[2].coverage.grid_officer_coverage.rate == 0.0


def test_trends_api_gives_the_changes(station, client_for):
    snapshots.take_quota_snapshots(W46)
    snapshots.take_quota_snapshots(W47)
    snapshots.take_coverage_snapshots(datetime.date(2026, 10, 30))
    snapshots.take_coverage_snapshots(datetime.date(2026, 11, 18))
    chief = Person.objects.get(name="S所长")
    chief.user = _user("chief-s")
    chief.save()
    response = client_for(chief.user).get(
        URL, {"station": station["station"].pk, "weeks": 2, "months": 2}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [point["week"] for point in body["weeks"]] == ["2026-W46", "2026-W47"]
    assert body["week_on_week"] == -0.3125  # 0.1875 - 0.5
    assert body["month_on_month"]["grid_officer_coverage"] == 0.0
    assert body["months"][1]["coverage"]["grid_officer_coverage"]["rate"] == 1.0


def test_trends_api_narrows_field_staff_to_their_own_rows(station, client_for):
    snapshots.take_quota_snapshots(W46)
    q = station["q"]
    q.user = _user("aux-q")
    q.save()
    body = (
        client_for(q.user)
        .get(URL, {"station": station["station"].pk, "weeks": 2})
        .json()
    )
    assert body["weeks"][0]["persons"] == 1
    assert body["weeks"][0]["completion"] == 0.0


@pytest.mark.parametrize(
    "params",
    [{}, {"station": "x"}, {"station": 1, "weeks": 1}, {"station": 1, "months": 99}],
)
def test_trends_api_refuses_bad_parameters(params, station, client_for):
    p = station["p"]
    p.user = _user("officer-p")
    p.save()
    if params.get("station") == 1:
        params = {**params, "station": station["station"].pk}
    response = client_for(p.user).get(URL, params)
    assert response.status_code == 400
    assert response.json()


def test_trends_api_hides_other_stations(station, client_for):
    p = station["p"]
    p.user = _user("officer-p")
    p.save()
    other = StationFactory(bureau=station["station"].bureau)
    response = client_for(p.user).get(URL, {"station": other.pk})
    assert response.status_code == 404


def _user(username):
    return UserFactory(username=username)
