"""Dispute mediation metrics ("346"), each against a hand-computed month.

The period under test is October 2026: 2026-10-01 00:00 to 2026-11-01 00:00,
Asia/Shanghai (UTC+8, no daylight saving time). The clock is frozen at
2026-11-05 12:00 local time, so every step due in October is in the past.
The bureau has no dispute policy: first contact within 24 h of the report,
mediation within 24 h of acceptance, a return visit within 7 days of
resolution.
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from disputes import metrics, workflow
from disputes.metrics import TARGET_RATE, Rate
from disputes.metrics_api import FROM_AFTER_TO, MAX_PERIOD_DAYS, PERIOD_TOO_LONG
from disputes.models import DEFAULT_POLICY, Colour, Dispute, Level, Status
from disputes.tests.factories import DisputeFactory
from grids.tests.factories import GridFactory
from stations.tests.factories import PersonFactory
from visits.tests.factories import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 11, 5, 12)
OCT_1 = datetime.date(2026, 10, 1)
OCT_31 = datetime.date(2026, 10, 31)
NOV_1 = datetime.date(2026, 11, 1)
NOV_30 = datetime.date(2026, 11, 30)
URL = "/api/v1/metrics/disputes/"


@pytest.fixture(autouse=True)
def frozen():
    """Freeze the clock, so that the ``world`` disputes are reported at 11:00."""
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(scope="module")
def world_time():
    """The module's ``world`` is built at the instant its tests run at."""
    return NOW


def report(grid, at, colour=Colour.GREEN, *, by=None) -> Dispute:
    """Return a dispute reported at ``at``, with its two parties.

    Written by the factory, like the workflow would: the level the default
    policy gives the colour, first contact due 24 h later.
    """
    return DisputeFactory(
        grid=grid,
        reported_at=at,
        colour=colour,
        level=DEFAULT_POLICY[f"level_for_{colour}"],
        reported_by=by or PersonFactory(),
    )


def figures(disputes, start=OCT_1, end=OCT_31, now=NOW) -> metrics.DisputeMetrics:
    return metrics.dispute_metrics(disputes, start=start, end=end, now=now)


def rate(numerator, denominator, value, met) -> Rate:
    return Rate(numerator, denominator, value, TARGET_RATE, met)


def untargeted(numerator, denominator, value) -> Rate:
    """A rate the seeds set no target for: handling within the time limits."""
    return Rate(numerator, denominator, value)


@pytest.fixture
def october(world):
    """The month of station S (grids A and B), worked out in the module's tests.

    ``d0`` was reported in September; ``c`` is in grid C (station T), outside
    the scope. Times are October 2026 unless the name says otherwise.
    """
    by = world.persons["officer_a"]
    a, b, c = world.grids["A"], world.grids["B"], world.grids["C"]

    # d0: reported Sep 30 09:00, first contact due Oct 1 09:00 (in October).
    d0 = report(a, local(2026, 9, 30, 9), by=by)
    workflow.accept(d0, by=by, at=local(2026, 9, 30, 10))  # on time; med. Oct 1 10:00
    workflow.hold_session(d0, by=by, at=local(2026, 10, 1, 9))  # on time
    workflow.resolve(d0, by=by, terms="赔偿500元", at=local(2026, 10, 28, 9))
    # return visit due Nov 4 09:00: after October, and missed (overdue now)

    # d1: every step on time, then closed.
    d1 = report(a, local(2026, 10, 2, 9), by=by)
    workflow.accept(d1, by=by, at=local(2026, 10, 2, 10))  # due Oct 3 09:00
    workflow.hold_session(d1, by=by, at=local(2026, 10, 2, 15))  # due Oct 3 10:00
    workflow.resolve(d1, by=by, terms="道歉", at=local(2026, 10, 3, 9))
    workflow.record_return_visit(  # due Oct 10 09:00
        d1, by=by, outcome="和睦", satisfaction=5, at=local(2026, 10, 5, 10)
    )
    workflow.close(d1, by=by, at=local(2026, 10, 6, 9))

    # d2: every step late; two return visits.
    d2 = report(a, local(2026, 10, 5, 9), Colour.YELLOW, by=by)
    workflow.accept(d2, by=by, at=local(2026, 10, 6, 10))  # due Oct 6 09:00
    workflow.hold_session(d2, by=by, at=local(2026, 10, 8, 9))  # due Oct 7 10:00
    workflow.resolve(d2, by=by, terms="分期还款", at=local(2026, 10, 9, 9))
    workflow.record_return_visit(  # due Oct 16 09:00
        d2, by=by, outcome="尚有怨言", satisfaction=3, at=local(2026, 10, 20, 9)
    )
    workflow.record_return_visit(
        d2, by=by, outcome="已还清", satisfaction=5, at=local(2026, 10, 31, 23, 59)
    )

    # d3: accepted on time, referred without a session before mediation was due.
    d3 = report(b, local(2026, 10, 10, 9), Colour.ORANGE, by=by)
    workflow.accept(d3, by=by, at=local(2026, 10, 10, 12))  # med. due Oct 11 12:00
    workflow.refer(d3, by=by, reason="移送法院", at=local(2026, 10, 11, 8))

    # d4: accepted and mediated on time, then mediation failed.
    d4 = report(b, local(2026, 10, 12, 9), Colour.RED, by=by)
    workflow.accept(d4, by=by, at=local(2026, 10, 12, 20))  # med. due Oct 13 20:00
    workflow.hold_session(d4, by=by, at=local(2026, 10, 13, 10))
    workflow.fail(d4, by=by, reason="一方拒绝", at=local(2026, 10, 14, 9))

    # d5: never accepted; first contact was due Oct 21 09:00 (overdue now).
    report(a, local(2026, 10, 20, 9), by=by)  # d5

    # d6: on time so far, still being mediated.
    d6 = report(b, local(2026, 10, 30, 9), Colour.YELLOW, by=by)
    workflow.accept(d6, by=by, at=local(2026, 10, 30, 10))  # due Oct 31 09:00
    workflow.hold_session(d6, by=by, at=local(2026, 10, 31, 9))  # due Oct 31 10:00

    # c: a station T dispute resolved and visited in October: never counted.
    officer_c = world.persons["officer_c"]
    dc = report(c, local(2026, 10, 3, 9), Colour.RED, by=officer_c)
    workflow.accept(dc, by=officer_c, at=local(2026, 10, 5, 9))
    workflow.hold_session(dc, by=officer_c, at=local(2026, 10, 7, 9))
    workflow.resolve(dc, by=officer_c, terms="调解", at=local(2026, 10, 8, 9))
    workflow.record_return_visit(
        dc, by=officer_c, outcome="不满", satisfaction=1, at=local(2026, 10, 9, 9)
    )

    return SimpleNamespace(
        world=world, disputes=Dispute.objects.visible_to(world.users["chief_s"])
    )


#
# The month, metric by metric
#


def test_counts_of_the_month(october):
    counts = figures(october.disputes).counts
    # d1..d6; d0 was reported in September, c is outside the scope.
    assert counts.total == 6
    assert counts.by_colour == {"green": 2, "yellow": 2, "orange": 1, "red": 1}
    assert counts.by_level == {"workstation": 2, "office": 2, "station": 2}
    assert counts.by_status == {
        "reported": 1,  # d5
        "accepted": 0,
        "mediating": 1,  # d6
        "resolved": 1,  # d2
        "referred": 1,  # d3
        "failed": 1,  # d4
        "closed": 1,  # d1
    }


def test_open_and_overdue_are_about_now_not_the_period(october):
    counts = figures(october.disputes).counts
    # d5, d6 and the world's disputes of grids A and B (reported today).
    assert counts.open == 4
    # d5 (first contact due Oct 21) and d0 (return visit due Nov 4, reported
    # in September); d2 was visited late but is visited, so not overdue.
    assert counts.overdue == 2


def test_success_rate_counts_the_mediations_ended_in_the_month(october):
    # Resolved d0, d1, d2; referred d3; failed d4.
    assert figures(october.disputes).success_rate == rate(3, 5, 0.6, False)


def test_sla_compliance_of_the_steps_due_in_the_month(october):
    sla = figures(october.disputes).sla_compliance
    # First contact due: d0 (due Oct 1) d1 d2 d3 d4 d5 d6; late: d2, d5.
    assert sla.first_contact == untargeted(5, 7, 0.7143)
    # Mediation due: d0 d1 d2 d3 d4 d6; late: d2 (Oct 8 > Oct 7), d3 (none).
    assert sla.mediation == untargeted(4, 6, 0.6667)
    # Return visit due: d1, d2 (the earliest visit, Oct 20, is late); d0's is
    # due in November.
    assert sla.return_visit == untargeted(1, 2, 0.5)
    assert sla.overall == untargeted(10, 15, 0.6667)


def test_satisfaction_of_the_return_visits_of_the_month(october):
    satisfaction = figures(october.disputes).satisfaction
    # d1: 5, d2: 3 and 5 (Oct 31 23:59); c's 1 is outside the scope.
    assert satisfaction.satisfied == rate(2, 3, 0.6667, False)
    assert satisfaction.mean_score == Decimal("4.33")


def test_the_period_is_returned_as_given(october):
    result = figures(october.disputes)
    assert (result.start, result.end, result.now) == (OCT_1, OCT_31, NOW)


def test_a_station_or_grid_narrows_every_figure(october):
    grid_b = october.disputes.filter(grid=october.world.grids["B"])
    result = figures(grid_b)
    assert result.counts.total == 3  # d3, d4, d6
    assert result.counts.open == 2  # d6 and the world's dispute of grid B
    assert result.counts.overdue == 0
    assert result.success_rate == rate(0, 2, 0.0, False)  # referred d3, failed d4
    assert result.sla_compliance.first_contact == untargeted(3, 3, 1.0)
    assert result.sla_compliance.mediation == untargeted(2, 3, 0.6667)
    assert result.satisfaction.satisfied == rate(0, 0, None, None)


def test_a_scope_with_repeated_rows_counts_each_dispute_once(october):
    # Filtering through the parties repeats each dispute once per party.
    repeated = october.disputes.filter(parties__name__in=["张三", "李四"])
    assert repeated.count() == 2 * october.disputes.count()
    assert figures(repeated) == figures(october.disputes)


#
# Empty periods and rates
#


def test_an_empty_period_has_zero_counts_and_no_rates(world):
    result = figures(
        Dispute.objects.visible_to(world.users["chief_s"]),
        start=datetime.date(2020, 1, 1),
        end=datetime.date(2020, 1, 31),
    )
    no_rate = rate(0, 0, None, None)
    assert result.counts.total == 0
    assert result.counts.by_colour == dict.fromkeys(Colour.values, 0)
    assert result.counts.by_level == dict.fromkeys(Level.values, 0)
    assert result.counts.by_status == dict.fromkeys(Status.values, 0)
    # The world's disputes of grids A and B are open now, whatever the period.
    assert (result.counts.open, result.counts.overdue) == (2, 0)
    assert result.success_rate == no_rate
    no_sla = untargeted(0, 0, None)
    assert result.sla_compliance == metrics.SlaCompliance(
        no_sla, no_sla, no_sla, no_sla
    )
    assert result.satisfaction == metrics.Satisfaction(no_rate, None)


def test_an_empty_scope_has_no_rates():
    result = figures(Dispute.objects.none())
    assert result.counts.total == result.counts.open == result.counts.overdue == 0
    assert result.success_rate.rate is None


@pytest.mark.parametrize(
    ("numerator", "denominator", "value", "met"),
    [
        (9, 10, 0.9, True),  # exactly the target
        (1, 1, 1.0, True),
        (0, 3, 0.0, False),
        (2, 3, 0.6667, False),
        (1, 8, 0.125, False),
        (1, 20_000, 0.0001, False),  # 0.00005 rounds half up
        (17_999, 20_000, 0.9, True),  # 0.89995 rounds up to the target
        (8_999, 10_000, 0.8999, False),
        (0, 0, None, None),
    ],
)
def test_rates_round_half_up_to_4_places(numerator, denominator, value, met):
    expected = rate(numerator, denominator, value, met)
    assert Rate.of(numerator, denominator, target=TARGET_RATE) == expected


def test_start_after_end_is_refused():
    with pytest.raises(ValueError, match="start"):
        figures(Dispute.objects.all(), start=OCT_31, end=OCT_1)


#
# Boundaries at local midnight
#


@pytest.fixture
def grid():
    return GridFactory()


def in_grid(grid):
    return Dispute.objects.filter(grid=grid)


def test_reports_count_from_the_first_midnight_to_the_last_minute(grid):
    report(grid, local(2026, 9, 30, 23, 59))
    report(grid, local(2026, 10, 1, 0, 0))
    report(grid, local(2026, 10, 31, 23, 59))
    report(grid, local(2026, 11, 1, 0, 0))
    assert figures(in_grid(grid)).counts.total == 2


def test_a_mediation_ending_at_midnight_belongs_to_the_next_day(grid):
    by = PersonFactory()
    reported_at = local(2026, 10, 28, 9)
    late_evening, midnight = report(grid, reported_at), report(grid, reported_at)
    for dispute in (late_evening, midnight):
        workflow.accept(dispute, by=by, at=local(2026, 10, 28, 10))
        workflow.hold_session(dispute, by=by, at=local(2026, 10, 28, 11))
    workflow.resolve(late_evening, by=by, terms="和解", at=local(2026, 10, 31, 23, 59))
    workflow.fail(midnight, by=by, reason="破裂", at=local(2026, 11, 1, 0, 0))
    assert figures(in_grid(grid)).success_rate == rate(1, 1, 1.0, True)
    november = figures(in_grid(grid), start=NOV_1, end=NOV_30)
    assert november.success_rate == rate(0, 1, 0.0, False)


def test_a_return_visit_at_midnight_belongs_to_the_next_day(grid):
    by = PersonFactory()
    dispute = report(grid, local(2026, 10, 28, 9))
    workflow.accept(dispute, by=by, at=local(2026, 10, 28, 10))
    workflow.hold_session(dispute, by=by, at=local(2026, 10, 28, 11))
    workflow.resolve(dispute, by=by, terms="和解", at=local(2026, 10, 28, 12))
    for satisfaction, at in ((5, local(2026, 10, 31, 23, 59)), (1, local(2026, 11, 1))):
        workflow.record_return_visit(
            dispute, by=by, outcome="回访", satisfaction=satisfaction, at=at
        )
    satisfaction = figures(in_grid(grid)).satisfaction
    assert satisfaction == metrics.Satisfaction(rate(1, 1, 1.0, True), Decimal("5.00"))
    satisfaction = figures(in_grid(grid), start=NOV_1, end=NOV_30).satisfaction
    assert satisfaction == metrics.Satisfaction(rate(0, 1, 0.0, False), Decimal("1.00"))


def test_a_step_due_at_midnight_belongs_to_the_next_day(grid):
    # First contact due Oct 31 23:59 and Nov 1 00:00; neither accepted.
    report(grid, local(2026, 10, 30, 23, 59))
    report(grid, local(2026, 10, 31, 0, 0))
    assert figures(in_grid(grid)).sla_compliance.first_contact == untargeted(0, 1, 0.0)
    november = figures(in_grid(grid), start=NOV_1, end=NOV_30)
    assert november.sla_compliance.first_contact == untargeted(0, 1, 0.0)


def test_a_step_done_exactly_when_due_is_on_time(grid):
    by = PersonFactory()
    dispute = report(grid, local(2026, 10, 1, 9))
    workflow.accept(dispute, by=by, at=local(2026, 10, 2, 9))  # = first contact due
    workflow.hold_session(dispute, by=by, at=local(2026, 10, 3, 9))  # = mediation due
    workflow.resolve(dispute, by=by, terms="和解", at=local(2026, 10, 4, 9))
    workflow.record_return_visit(  # = return visit due
        dispute, by=by, outcome="回访", satisfaction=4, at=local(2026, 10, 11, 9)
    )
    sla = figures(in_grid(grid)).sla_compliance
    assert sla.overall == untargeted(3, 3, 1.0)


def test_steps_due_after_now_are_left_out_even_when_done(grid):
    by = PersonFactory()
    now = local(2026, 11, 5, 12)
    report(grid, now - datetime.timedelta(hours=24))  # due exactly now, not done
    early = report(grid, now - datetime.timedelta(hours=23))  # due in an hour
    workflow.accept(early, by=by, at=now - datetime.timedelta(hours=22))
    november = figures(in_grid(grid), start=NOV_1, end=NOV_30, now=now)
    # Counting the early one alone would report 1/2 while the other is late.
    assert november.sla_compliance.first_contact == untargeted(0, 1, 0.0)
    later = figures(in_grid(grid), start=NOV_1, end=NOV_30, now=local(2026, 11, 6, 12))
    assert later.sla_compliance.first_contact == untargeted(1, 2, 0.5)


#
# Cost
#


def add_a_busy_dispute(grid, by, day):
    """Add a dispute with every kind of row: sessions, agreement, visits."""
    dispute = report(grid, local(2026, 10, day, 9), by=by)
    workflow.accept(dispute, by=by, at=local(2026, 10, day, 10))
    workflow.hold_session(dispute, by=by, at=local(2026, 10, day, 11))
    workflow.hold_session(dispute, by=by, at=local(2026, 10, day, 12))
    workflow.resolve(dispute, by=by, terms="和解", at=local(2026, 10, day, 13))
    for hour in (14, 15):
        workflow.record_return_visit(
            dispute,
            by=by,
            outcome="回访",
            satisfaction=4,
            at=local(2026, 10, day, hour),
        )


def test_query_count_does_not_grow_with_the_disputes(
    october, django_assert_num_queries
):
    with django_assert_num_queries(3):
        before = figures(october.disputes)
    by = october.world.persons["officer_a"]
    for day in range(1, 11):
        add_a_busy_dispute(october.world.grids["A"], by, day)
    with django_assert_num_queries(3):
        after = figures(october.disputes)
    assert after.counts.total == before.counts.total + 10
    assert after.satisfaction.satisfied.denominator == 3 + 20


#
# API
#


def get(client, **params):
    return client.get(URL, params)


@pytest.fixture
def chief(world, client_for):
    return client_for(world.users["chief_s"])


def test_url_is_named():
    assert reverse("metrics-disputes") == URL


def test_response_has_exactly_the_contract_shape(october, chief):
    response = get(chief, **{"from": "2026-10-01", "to": "2026-10-31"})
    assert response.status_code == 200

    def as_json(numerator, denominator, value, met, target=0.9):
        return {
            "numerator": numerator,
            "denominator": denominator,
            "rate": value,
            "target": target,
            "met": met,
        }

    assert response.json() == {
        "from": "2026-10-01",
        "to": "2026-10-31",
        "as_of": "2026-11-05T12:00:00+08:00",
        "counts": {
            "total": 6,
            "by_colour": {"green": 2, "yellow": 2, "orange": 1, "red": 1},
            "by_level": {"workstation": 2, "office": 2, "station": 2},
            "by_status": {
                "reported": 1,
                "accepted": 0,
                "mediating": 1,
                "resolved": 1,
                "referred": 1,
                "failed": 1,
                "closed": 1,
            },
            "open": 4,
            "overdue": 2,
        },
        "success_rate": as_json(3, 5, 0.6, False),
        "sla_compliance": {
            # The seeds set no target for handling on time.
            "first_contact": as_json(5, 7, 0.7143, None, target=None),
            "mediation": as_json(4, 6, 0.6667, None, target=None),
            "return_visit": as_json(1, 2, 0.5, None, target=None),
            "overall": as_json(10, 15, 0.6667, None, target=None),
        },
        "satisfaction": {
            "satisfied": as_json(2, 3, 0.6667, False),
            "mean_score": 4.33,
        },
    }
    # JSON numbers, not strings.
    assert b'"mean_score":4.33' in response.content


def test_an_empty_period_answers_nulls(world, chief):
    body = get(chief, **{"from": "2020-01-01", "to": "2020-01-31"}).json()
    assert body["counts"]["total"] == 0
    assert body["success_rate"] == {
        "numerator": 0,
        "denominator": 0,
        "rate": None,
        "target": 0.9,
        "met": None,
    }
    assert body["satisfaction"]["mean_score"] is None


def test_default_period_is_this_month_to_date(world, chief):
    body = get(chief).json()
    assert (body["from"], body["to"]) == ("2026-11-01", "2026-11-05")
    assert body["counts"]["total"] == 2  # the world's disputes of grids A and B


def test_to_alone_starts_on_the_first_of_its_month(world, chief):
    body = get(chief, to="2026-02-14").json()
    assert (body["from"], body["to"]) == ("2026-02-01", "2026-02-14")


def test_from_alone_ends_today(world, chief):
    body = get(chief, **{"from": "2026-09-15"}).json()
    assert (body["from"], body["to"]) == ("2026-09-15", "2026-11-05")


def test_a_leap_year_is_the_longest_period(world, chief):
    response = get(chief, **{"from": "2024-01-01", "to": "2024-12-31"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "errors"),
    [
        ({"from": "2026-13-01"}, ["from"]),
        ({"to": "31.10.2026"}, ["to"]),
        ({"from": "2026-10-01", "to": "yesterday"}, ["to"]),
        ({"station": "S"}, ["station"]),
        ({"grid": "A"}, ["grid"]),
    ],
)
def test_malformed_parameters_are_field_errors(world, chief, params, errors):
    response = get(chief, **params)
    assert response.status_code == 400
    assert list(response.json()) == errors


def test_from_after_to_is_a_field_error(world, chief):
    response = get(chief, **{"from": "2026-10-02", "to": "2026-10-01"})
    assert response.status_code == 400
    assert response.json() == {"to": [str(FROM_AFTER_TO)]}


def test_from_alone_after_today_is_a_field_error(world, chief):
    response = get(chief, **{"from": "2026-11-06"})
    assert response.status_code == 400
    assert response.json() == {"to": [str(FROM_AFTER_TO)]}


def test_a_period_longer_than_366_days_is_a_field_error(world, chief):
    response = get(chief, **{"from": "2025-01-01", "to": "2026-01-02"})
    assert response.status_code == 400
    message = str(PERIOD_TOO_LONG).format(days=MAX_PERIOD_DAYS)
    assert response.json() == {"to": [message]}


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


def test_other_grid_answers_like_a_nonexistent_one(world, chief):
    other = get(chief, grid=world.grids["C"].pk)
    missing = get(chief, grid=999_999)
    assert other.status_code == missing.status_code == 404
    assert other.content == missing.content


def test_chief_narrows_to_a_grid_of_the_station(october, chief):
    params = {"from": "2026-10-01", "to": "2026-10-31"}
    body = get(chief, grid=october.world.grids["B"].pk, **params).json()
    assert body["counts"]["total"] == 3
    body = get(chief, station=october.world.stations["S"].pk, **params).json()
    assert body["counts"]["total"] == 6


def test_bureau_staff_pick_a_station_of_the_bureau(october, client_for):
    client = client_for(october.world.users["bureau_x"])
    params = {"from": "2026-10-01", "to": "2026-10-31"}
    assert get(client, **params).json()["counts"]["total"] == 7  # S and c in T
    body = get(client, station=october.world.stations["T"].pk, **params).json()
    assert body["counts"]["total"] == 1
    assert body["satisfaction"]["mean_score"] == 1.0
    assert get(client, station=october.world.stations["U"].pk).status_code == 404


def test_field_staff_see_their_grids_only(october, client_for):
    params = {"from": "2026-10-01", "to": "2026-10-31"}
    officer_a = client_for(october.world.users["officer_a"])
    counts = get(officer_a, **params).json()["counts"]
    # d1, d2, d5 in grid A; open: d5 and the world's dispute of grid A.
    # Overdue: d5 and d0 (reported in September).
    assert (counts["total"], counts["open"], counts["overdue"]) == (3, 2, 2)
    officer_b = client_for(october.world.users["officer_b"])
    assert get(officer_b, **params).json()["counts"]["total"] == 3  # d3, d4, d6


def test_field_staff_may_not_pick_another_grid_of_their_station(world, client_for):
    client = client_for(world.users["officer_a"])
    assert get(client, grid=world.grids["A"].pk).status_code == 200
    other = get(client, grid=world.grids["B"].pk)
    assert other.status_code == 404
    assert other.content == get(client, grid=999_999).content
    # Their own station is fine, and still limited to their grid.
    body = get(client, station=world.stations["S"].pk).json()
    assert body["counts"]["total"] == 1


def test_api_query_count_does_not_grow_with_the_disputes(october, client_for):
    params = {"from": "2026-10-01", "to": "2026-10-31"}

    def queries():
        # A fresh user object each time: the scope is cached on it.
        client = client_for(get_user_model().objects.get(username="chief_s"))
        with CaptureQueriesContext(connection) as context:
            assert get(client, **params).status_code == 200
        return len(context.captured_queries)

    before = queries()
    by = october.world.persons["officer_a"]
    for day in range(1, 11):
        add_a_busy_dispute(october.world.grids["A"], by, day)
    assert queries() == before


def test_schema_documents_the_parameters_and_response():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["get"]
    assert operation["operationId"] == "metrics_disputes"
    parameters = {p["name"]: p.get("required", False) for p in operation["parameters"]}
    assert parameters == {"from": False, "to": False, "station": False, "grid": False}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/DisputeMetrics"
    }
    components = schema["components"]["schemas"]
    assert set(components["DisputeMetrics"]["properties"]) == {
        "from",
        "to",
        "as_of",
        "counts",
        "success_rate",
        "sla_compliance",
        "satisfaction",
    }
    assert set(components["DisputeStatusCounts"]["properties"]) == set(Status.values)
    assert components["TargetRate"]["properties"]["rate"]["nullable"] is True
