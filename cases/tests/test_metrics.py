"""Case metrics: incident rates, clearance and ratings, against a worked month.

The month under test is November 2026: 2026-11-01 00:00 to 2026-12-01
00:00, Asia/Shanghai (UTC+8, no daylight saving time); the same month a year
earlier is November 2025. The clock is frozen at 2026-12-05 12:00 local
time, so the world's cases (reported an hour earlier) are in December.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from cases import metrics, workflow
from cases.metrics import TARGET_RATE, Incidents, Rate
from cases.models import Case, Rating, Status
from grids.models import Grid
from grids.tests.factories import GridFactory, HouseholdFactory, ResidentFactory
from policing.periods import MONTH_FORMAT, NO_SUCH_MONTH, Month
from visits.tests.factories import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 12, 5, 12)
NOVEMBER = Month(2026, 11)
URL = "/api/v1/metrics/cases/"

CRIMINAL, ADMINISTRATIVE = Case.Kind.CRIMINAL, Case.Kind.ADMINISTRATIVE


@pytest.fixture(autouse=True)
def frozen():
    """Freeze the clock, so that the ``world`` cases are reported on Dec 5."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def world_time():
    """The module's ``world`` is built at the instant its tests run at."""
    return NOW


def report(grid, at, kind=CRIMINAL, *, by, parties=None) -> Case:
    """Return a case reported in ``grid`` at ``at`` through the workflow."""
    category = Case.Category.THEFT if kind == CRIMINAL else Case.Category.FIGHTING
    return workflow.open_case(
        grid=grid,
        kind=kind,
        category=category,
        summary="案情",
        parties=parties or [{"role": "victim", "name": "王", "phone": "13800001234"}],
        by=by,
        at=at,
    )


def solve(case, at, *, by) -> Case:
    """Accept, investigate and solve ``case``, each step an hour apart."""
    hour = datetime.timedelta(hours=1)
    workflow.accept(case, by=by, at=at - 2 * hour)
    workflow.start_investigation(case, by=by, at=at - hour)
    return workflow.solve(case, by=by, text="已破案", at=at)


def rate(party, score, at) -> Rating:
    """Return ``party``'s rating of the officer, created at ``at``."""
    with time_machine.travel(at, tick=False):
        return Rating.objects.create(
            case=party.case, party=party, officer=party.case.officer, score=score
        )


def residents(grid, count):
    """Add a household with ``count`` residents to ``grid``."""
    household = HouseholdFactory(grid=grid)
    for _ in range(count):
        ResidentFactory(household=household)


@pytest.fixture
def november(world):
    """The month worked out in docs/metrics.md ("Cases", example month).

    Grids A, B and E (new, no residents) in station S; C in station T; D in
    the other bureau. Each world grid already has one resident.
    """
    officer_a = world.persons["officer_a"]
    officer_c = world.persons["officer_c"]
    officer_d = world.persons["officer_d"]
    a, b, c, d = (world.grids[name] for name in "ABCD")
    e = GridFactory(area=world.areas["A"], name="网格E")
    residents(a, 5)  # 6 with the world's
    residents(b, 2)  # 3

    # November 2026, grid A.
    a1 = report(
        a,
        local(2026, 11, 1, 0, 0),  # the month's first minute
        by=officer_a,
        parties=[
            {"role": "victim", "name": "王", "phone": "13800001234"},
            {"role": "reporter", "name": "李", "phone": "13800005678"},
            {"role": "witness", "name": "赵"},
        ],
    )
    solve(a1, local(2026, 11, 10, 12), by=officer_a)
    workflow.close(a1, by=officer_a, at=local(2026, 11, 20, 9))
    a2 = report(a, local(2026, 11, 15, 10), by=officer_a)
    workflow.accept(a2, by=officer_a, at=local(2026, 11, 15, 11))
    workflow.start_investigation(a2, by=officer_a, at=local(2026, 11, 16, 9))
    a3 = report(a, local(2026, 11, 30, 23, 59), ADMINISTRATIVE, by=officer_a)
    solve(a3, local(2026, 12, 2, 12), by=officer_a)  # solved after the month
    a4 = report(a, local(2026, 11, 20, 9), by=officer_a)
    workflow.drop(a4, by=officer_a, reason="报假案", at=local(2026, 11, 21, 9))
    # Just outside the month, on either side.
    a_oct = report(a, local(2026, 10, 31, 23, 59), by=officer_a)
    solve(a_oct, local(2026, 11, 5, 12), by=officer_a)
    report(a, local(2026, 12, 1, 0, 0), ADMINISTRATIVE, by=officer_a)

    # November 2026, grids B, E and D.
    b1 = report(b, local(2026, 11, 5, 9), by=officer_a)
    workflow.accept(b1, by=officer_a, at=local(2026, 11, 5, 10))
    report(e, local(2026, 11, 8, 9), ADMINISTRATIVE, by=officer_a)
    d1 = report(d, local(2026, 11, 10, 9), by=officer_d)
    solve(d1, local(2026, 11, 12, 9), by=officer_d)

    # November 2025: A 4 criminal and 2 administrative, E 1 administrative,
    # C 2 criminal, D 1; A also just outside that month.
    for day, kind in enumerate([CRIMINAL] * 4 + [ADMINISTRATIVE] * 2, start=1):
        report(a, local(2025, 11, day * 5, 9), kind, by=officer_a)
    report(a, local(2025, 10, 31, 23, 59), by=officer_a)
    report(a, local(2025, 12, 1, 0, 0), by=officer_a)
    report(e, local(2025, 11, 30, 23, 59), ADMINISTRATIVE, by=officer_a)
    report(c, local(2025, 11, 1, 0, 0), by=officer_c)
    report(c, local(2025, 11, 11, 11), by=officer_c)
    report(d, local(2025, 11, 11, 11), by=officer_d)

    # Ratings: counted by the date they were given.
    wang, li, zhao = a1.parties.order_by("pk")
    rate(wang, 5, local(2026, 11, 20, 10))
    rate(li, 2, local(2026, 11, 30, 23, 59))
    rate(zhao, 4, local(2026, 12, 1, 0, 0))  # December
    rate(a_oct.parties.get(), 4, local(2026, 11, 6, 0, 0))  # an October case
    rate(d1.parties.get(), 1, local(2026, 11, 13, 9))  # other bureau

    return SimpleNamespace(world=world, e=e)


def scope(world, user="chief_s"):
    user = world.users[user]
    return Case.objects.visible_to(user), Grid.objects.in_scope_of(user)


def figures(world, user="chief_s", month=NOVEMBER) -> metrics.CaseMetrics:
    cases, grids = scope(world, user)
    return metrics.case_metrics(cases, grids, month=month)


def counts(cases, criminal, administrative, residents, last, criminal_last):
    return {
        "cases": cases,
        "criminal": criminal,
        "administrative": administrative,
        "residents": residents,
        "same_month_last_year": last,
        "criminal_same_month_last_year": criminal_last,
    }


def derived(row) -> tuple:
    return (row.rate_per_10k, row.yoy_change, row.criminal_yoy_change)


#
# Incident rates
#


def test_grid_rows_of_the_month(november):
    world = november.world
    cases, grids = scope(world)
    rows = metrics.incident_rates(cases, grids, month=NOVEMBER)
    assert [row.grid for row in rows] == [
        world.grids["A"].pk,
        world.grids["B"].pk,
        november.e.pk,
    ]
    a, b, e = rows
    # A: a1, a2, a4 criminal (a4 dropped, still reported), a3 administrative
    # at Nov 30 23:59; not the cases of Oct 31 23:59 and Dec 1 00:00.
    assert a == metrics.GridIncidents(
        grid=world.grids["A"].pk,
        grid_code=world.grids["A"].code,
        grid_name="网格A",
        station=world.stations["S"].pk,
        **counts(4, 3, 1, 6, 6, 4),
    )
    # 4 / 6 * 10,000 = 6666.666..; (4 - 6) / 6; (3 - 4) / 4.
    assert derived(a) == (Decimal("6666.67"), -0.3333, -0.25)
    assert b == metrics.GridIncidents(
        grid=world.grids["B"].pk,
        grid_code=world.grids["B"].code,
        grid_name="网格B",
        station=world.stations["S"].pk,
        **counts(1, 1, 0, 3, 0, 0),
    )
    # Nothing last year: no change rather than an infinite one.
    assert derived(b) == (Decimal("3333.33"), None, None)
    assert e.residents == 0
    assert (e.cases, e.same_month_last_year) == (1, 1)
    # No residents: no rate; 1 after 1 is no change.
    assert derived(e) == (None, 0.0, None)


def test_station_rows_add_up_their_grids(november):
    world = november.world
    cases, grids = scope(world, "bureau_x")
    s, t = metrics.station_incident_rates(cases, grids, month=NOVEMBER)
    assert s == metrics.StationIncidents(
        station=world.stations["S"].pk,
        station_code=world.stations["S"].code,
        station_name=world.stations["S"].name,
        **counts(6, 4, 2, 9, 7, 4),
    )
    # 6 / 9 * 10,000; (6 - 7) / 7 = -0.142857..; (4 - 4) / 4. The rate is
    # computed from the sums, not averaged over the grids (E has none).
    assert derived(s) == (Decimal("6666.67"), -0.1429, 0.0)
    assert t.station == world.stations["T"].pk
    assert t == metrics.StationIncidents(
        station=world.stations["T"].pk,
        station_code=world.stations["T"].code,
        station_name=world.stations["T"].name,
        **counts(0, 0, 0, 1, 2, 2),
    )
    assert derived(t) == (Decimal("0.00"), -1.0, -1.0)


def test_total_is_the_bureau(november):
    total = figures(november.world, "bureau_x").total
    assert total == Incidents(**counts(6, 4, 2, 10, 9, 6))
    # 6 / 10 * 10,000; (6 - 9) / 9; (4 - 6) / 6.
    assert derived(total) == (Decimal("6000.00"), -0.3333, -0.3333)


def test_chief_sees_the_station(november):
    result = figures(november.world)
    assert [row.station for row in result.stations] == [november.world.stations["S"].pk]
    assert result.total == Incidents(**counts(6, 4, 2, 9, 7, 4))


def test_field_officer_sees_their_grid_only(november):
    world = november.world
    result = figures(world, "officer_a")
    assert [row.grid for row in result.grids] == [world.grids["A"].pk]
    (station,) = result.stations
    # Station S, as far as grid A goes.
    assert station.station == world.stations["S"].pk
    assert station.cases == result.total.cases == 4
    assert station.residents == 6


def test_a_scope_with_repeated_rows_counts_each_case_once(november):
    world = november.world
    cases, grids = scope(world)
    # Filtering through the events repeats each case once per event.
    repeated = cases.filter(events__public=True)
    assert repeated.count() > repeated.distinct().count()
    assert metrics.incident_rates(
        repeated, grids, month=NOVEMBER
    ) == metrics.incident_rates(cases.distinct(), grids, month=NOVEMBER)


def test_month_runs_from_local_midnight_to_local_midnight(world):
    grid, by = world.grids["B"], world.persons["officer_b"]
    for at in (
        local(2026, 10, 31, 23, 59),
        local(2026, 11, 1, 0, 0),
        local(2026, 11, 30, 23, 59),
        local(2026, 12, 1, 0, 0),
    ):
        report(grid, at, by=by)
    grids = Grid.objects.filter(pk=grid.pk)
    cases = Case.objects.all()
    (row,) = metrics.incident_rates(cases, grids, month=NOVEMBER)
    assert row.cases == 2
    (row,) = metrics.incident_rates(cases, grids, month=Month(2026, 10))
    assert row.cases == 1
    # December: Dec 1 00:00 and the world's case of Dec 5.
    (row,) = metrics.incident_rates(cases, grids, month=Month(2026, 12))
    assert row.cases == 2


def test_a_grid_without_residents_has_no_rate(world):
    grid = GridFactory(area=world.areas["A"])
    report(grid, local(2026, 11, 3, 9), by=world.persons["officer_a"])
    (row,) = metrics.incident_rates(
        Case.objects.all(), Grid.objects.filter(pk=grid.pk), month=NOVEMBER
    )
    assert (row.cases, row.residents, row.rate_per_10k) == (1, 0, None)


def test_an_empty_scope_has_no_rows_and_a_zero_total():
    result = metrics.case_metrics(
        Case.objects.none(), Grid.objects.none(), month=NOVEMBER
    )
    assert (result.grids, result.stations) == ([], [])
    assert result.total == Incidents(**counts(0, 0, 0, 0, 0, 0))
    assert derived(result.total) == (None, None, None)


@pytest.mark.parametrize(
    ("current", "previous", "change"),
    [
        (61, 72, -0.1528),  # seed: "全市刑事发案同比下降15.28%"
        (5, 4, 0.25),
        (0, 4, -1.0),
        (4, 4, 0.0),
        (2, 3, -0.3333),
        (1, 0, None),
        (0, 0, None),
        (19_999, 20_000, -0.0001),  # -0.00005 rounds away from zero
    ],
)
def test_year_on_year_change(current, previous, change):
    assert metrics.year_on_year(current, previous) == change


@pytest.mark.parametrize(
    ("cases", "residents", "value"),
    [
        (3, 1_963, Decimal("15.28")),  # 15.2827..
        (1, 3, Decimal("3333.33")),
        (2, 3, Decimal("6666.67")),
        (1, 80_000, Decimal("0.13")),  # 0.125 rounds half up
        (0, 5, Decimal("0.00")),
        (5, 0, None),
    ],
)
def test_rate_per_10k(cases, residents, value):
    assert metrics.per_10k(cases, residents) == value


#
# Clearance
#


def test_clearance_of_the_month(november):
    clearance = figures(november.world).clearance
    assert clearance.reported == 6  # a1..a4, b1, e1
    assert clearance.by_status == {
        "reported": 1,  # e1
        "accepted": 1,  # b1
        "investigating": 1,  # a2
        "solved": 1,  # a3, solved on Dec 2: "as of now"
        "closed": 1,  # a1
        "dropped": 1,  # a4
    }
    # Not dropped: a1 a2 a3 b1 e1; solved or closed: a1, a3.
    assert clearance.overall == Rate(2, 5, 0.4)
    # Criminal, not dropped: a1 a2 b1 (a4 is dropped); solved: a1.
    assert clearance.criminal == Rate(1, 3, 0.3333)
    assert clearance.administrative == Rate(1, 2, 0.5)
    assert clearance.overall.target is clearance.overall.met is None


def test_clearance_of_a_field_officer(november):
    clearance = figures(november.world, "officer_a").clearance
    assert clearance.reported == 4
    assert clearance.overall == Rate(2, 3, 0.6667)
    assert clearance.criminal == Rate(1, 2, 0.5)
    assert clearance.administrative == Rate(1, 1, 1.0)


def test_clearance_without_cases_has_no_rates(world):
    clearance = figures(world, month=Month(2020, 1)).clearance
    assert clearance.reported == 0
    assert clearance.by_status == dict.fromkeys(Status.values, 0)
    assert clearance.overall == clearance.criminal == Rate(0, 0, None)


#
# Ratings
#


def test_ratings_of_the_month(november):
    ratings = figures(november.world).ratings
    # 5 (Nov 20) and 2 (Nov 30 23:59) for a1, 4 for the October case rated
    # on Nov 6; not zhao's 4 of Dec 1 00:00, nor grid D's 1.
    assert ratings.count == 3
    assert ratings.mean_score == Decimal("3.67")  # 11 / 3
    assert ratings.satisfied == Rate(2, 3, 0.6667, TARGET_RATE, False)


def test_ratings_without_any(world):
    ratings = figures(world, month=Month(2020, 1)).ratings
    assert ratings == metrics.RatingsSummary(
        0, None, Rate(0, 0, None, TARGET_RATE, None)
    )


def test_rates_round_half_up_and_compare_the_rounded_rate():
    assert Rate.of(17_999, 20_000, target=0.9) == Rate(17_999, 20_000, 0.9, 0.9, True)
    assert Rate.of(8_999, 10_000, target=0.9).met is False
    assert Rate.of(1, 20_000) == Rate(1, 20_000, 0.0001)


#
# Month
#


def test_month_parses_and_knows_its_boundaries():
    month = Month.parse("2026-11")
    assert month == NOVEMBER
    assert str(month) == "2026-11"
    assert month.start == local(2026, 11, 1)
    assert month.end == local(2026, 12, 1)
    assert month.start.astimezone(datetime.UTC) == datetime.datetime(
        2026, 10, 31, 16, tzinfo=datetime.UTC
    )
    assert month.last_day == datetime.date(2026, 11, 30)
    assert month.previous_year() == Month(2025, 11)
    assert Month(2026, 12).next() == Month(2027, 1)
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2024, 2).last_day == datetime.date(2024, 2, 29)
    assert Month.current() == Month(2026, 12)
    assert Month.containing(local(2026, 12, 1, 0, 0)) == Month(2026, 12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-13", str(NO_SUCH_MONTH).format(month="13")),
        ("2026-00", str(NO_SUCH_MONTH).format(month="00")),
        ("abc", str(MONTH_FORMAT)),
        ("2026-1", str(MONTH_FORMAT)),
        ("2026/11", str(MONTH_FORMAT)),
        ("0001-01", "1900"),
    ],
)
def test_month_refuses_bad_text(text, message):
    with pytest.raises(ValidationError, match=message):
        Month.parse(text)


#
# Cost
#


def add_grids_and_cases(world, count=10):
    """Add ``count`` grids to station S, each with residents and cases."""
    by = world.persons["officer_a"]
    for day in range(1, count + 1):
        grid = GridFactory(area=world.areas["A"])
        residents(grid, 2)
        case = report(grid, local(2026, 11, day, 9), by=by)
        solve(case, local(2026, 11, day, 15), by=by)
        rate(case.parties.get(), 5, local(2026, 11, day, 16))
        report(world.grids["A"], local(2025, 11, day, 9), by=by)


def test_query_count_does_not_grow_with_cases_or_grids(
    november, django_assert_num_queries
):
    world = november.world
    cases, grids = scope(world)  # resolves the user's scope: not counted

    def figures_now():
        return metrics.case_metrics(cases, grids, month=NOVEMBER)

    with django_assert_num_queries(4):
        before = figures_now()
    add_grids_and_cases(world)
    with django_assert_num_queries(4):
        after = figures_now()
    assert len(after.grids) == len(before.grids) + 10
    assert after.total.cases == before.total.cases + 10
    assert after.ratings.count == before.ratings.count + 10


#
# API
#


def get(client, **params):
    return client.get(URL, params)


@pytest.fixture
def chief(world, client_for):
    return client_for(world.users["chief_s"])


def test_url_is_named():
    assert reverse("metrics-cases") == URL


def test_response_has_exactly_the_contract_shape(november, chief):
    world = november.world
    response = get(chief, month="2026-11")
    assert response.status_code == 200
    s = world.stations["S"]

    def grid(name, grid, *figures):
        return {
            "grid": grid.pk,
            "grid_code": grid.code,
            "grid_name": name,
            "station": s.pk,
            **figures_json(*figures),
        }

    def figures_json(counted, rate_per_10k, yoy, criminal_yoy):
        return {
            **counted,
            "rate_per_10k": rate_per_10k,
            "yoy_change": yoy,
            "criminal_yoy_change": criminal_yoy,
        }

    station_s = figures_json(counts(6, 4, 2, 9, 7, 4), 6666.67, -0.1429, 0.0)
    assert response.json() == {
        "month": "2026-11",
        "grids": [
            grid(
                "网格A",
                world.grids["A"],
                counts(4, 3, 1, 6, 6, 4),
                6666.67,
                -0.3333,
                -0.25,
            ),
            grid(
                "网格B", world.grids["B"], counts(1, 1, 0, 3, 0, 0), 3333.33, None, None
            ),
            grid("网格E", november.e, counts(1, 0, 1, 0, 1, 0), None, 0.0, None),
        ],
        "stations": [
            {
                "station": s.pk,
                "station_code": s.code,
                "station_name": s.name,
                **station_s,
            }
        ],
        "total": station_s,
        "clearance": {
            "reported": 6,
            "by_status": {
                "reported": 1,
                "accepted": 1,
                "investigating": 1,
                "solved": 1,
                "closed": 1,
                "dropped": 1,
            },
            "overall": rate_json(2, 5, 0.4),
            "criminal": rate_json(1, 3, 0.3333),
            "administrative": rate_json(1, 2, 0.5),
        },
        "ratings": {
            "count": 3,
            "mean_score": 3.67,
            "satisfied": rate_json(2, 3, 0.6667, 0.9, False),
        },
    }
    # JSON numbers, not strings.
    assert b'"rate_per_10k":6666.67' in response.content
    assert b'"mean_score":3.67' in response.content


def rate_json(numerator, denominator, value, target=None, met=None):
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": value,
        "target": target,
        "met": met,
    }


def test_default_month_is_this_month(world, chief):
    body = get(chief).json()
    assert body["month"] == "2026-12"
    # The world's cases of grids A and B, reported today.
    assert body["total"]["cases"] == 2


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"month": "2026-13"}, str(NO_SUCH_MONTH).format(month="13")),
        ({"month": "abc"}, str(MONTH_FORMAT)),
        ({"month": "2026-11-01"}, str(MONTH_FORMAT)),
    ],
)
def test_malformed_month_is_a_field_error(world, chief, params, message):
    response = get(chief, **params)
    assert response.status_code == 400
    assert response.json() == {"month": [message]}


def test_malformed_station_is_a_field_error(world, chief):
    response = get(chief, station="S")
    assert response.status_code == 400
    assert list(response.json()) == ["station"]


def test_anonymous_is_unauthorised(world, api_client):
    assert get(api_client).status_code == 401


def test_login_without_staff_record_is_forbidden(world, client_for):
    assert get(client_for(world.users["no_staff"])).status_code == 403


def test_other_station_answers_like_a_nonexistent_one(world, chief):
    other = get(chief, station=world.stations["T"].pk)
    missing = get(chief, station=999_999)
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content
    assert get(chief, station=10**30).status_code == 404


def test_bureau_staff_pick_a_station_of_the_bureau(november, client_for):
    world = november.world
    client = client_for(world.users["bureau_x"])
    body = get(client, month="2026-11").json()
    assert [row["station"] for row in body["stations"]] == [
        world.stations["S"].pk,
        world.stations["T"].pk,
    ]
    assert (body["total"]["cases"], body["total"]["residents"]) == (6, 10)
    body = get(client, month="2026-11", station=world.stations["T"].pk).json()
    assert [row["grid"] for row in body["grids"]] == [world.grids["C"].pk]
    assert body["total"]["yoy_change"] == -1.0
    assert body["clearance"]["reported"] == 0
    assert get(client, station=world.stations["U"].pk).status_code == 404


def test_field_officer_gets_their_grid_only(november, client_for):
    world = november.world
    body = get(client_for(world.users["officer_a"]), month="2026-11").json()
    assert [row["grid"] for row in body["grids"]] == [world.grids["A"].pk]
    assert [row["station"] for row in body["stations"]] == [world.stations["S"].pk]
    assert body["total"]["cases"] == 4
    assert body["clearance"]["overall"] == rate_json(2, 3, 0.6667)
    # Their own station is fine, and still limited to their grid.
    client = client_for(world.users["officer_a"])
    body = get(client, month="2026-11", station=world.stations["S"].pk).json()
    assert [row["grid"] for row in body["grids"]] == [world.grids["A"].pk]


def test_auxiliary_gets_empty_figures(november, client_for):
    world = november.world
    response = get(client_for(world.users["auxiliary_a"]), month="2026-11")
    assert response.status_code == 200
    body = response.json()
    assert (body["grids"], body["stations"]) == ([], [])
    assert body["total"] == {
        **counts(0, 0, 0, 0, 0, 0),
        "rate_per_10k": None,
        "yoy_change": None,
        "criminal_yoy_change": None,
    }
    assert body["clearance"]["reported"] == 0
    assert body["clearance"]["overall"] == rate_json(0, 0, None)
    assert body["ratings"] == {
        "count": 0,
        "mean_score": None,
        "satisfied": rate_json(0, 0, None, 0.9, None),
    }


def test_api_query_count_does_not_grow_with_cases_or_grids(november, client_for):
    def queries():
        # A fresh user object each time: the scope is cached on it.
        user = get_user_model().objects.get(username="chief_s")
        client = client_for(user)
        with CaptureQueriesContext(connection) as context:
            response = get(
                client, month="2026-11", station=november.world.stations["S"].pk
            )
            assert response.status_code == 200
        return len(context.captured_queries)

    before = queries()
    add_grids_and_cases(november.world)
    assert queries() == before


def test_schema_documents_the_parameters_and_response():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["get"]
    assert operation["operationId"] == "metrics_cases"
    parameters = {p["name"]: p.get("required", False) for p in operation["parameters"]}
    assert parameters == {"month": False, "station": False}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CaseMetrics"
    }
    components = schema["components"]["schemas"]
    assert set(components["CaseMetrics"]["properties"]) == {
        "month",
        "grids",
        "stations",
        "total",
        "clearance",
        "ratings",
    }
    assert set(components["CaseStatusCounts"]["properties"]) == set(Status.values)
    assert components["TargetRate"]["properties"]["rate"]["nullable"] is True
