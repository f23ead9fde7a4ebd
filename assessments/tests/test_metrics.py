"""Weekly quotas (SPEC §3), each metric against a hand-computed week.

The week under test is 2026-W47: Monday 2026-11-16 00:00 to Monday
2026-11-23 00:00, Asia/Shanghai (UTC+8, no daylight saving time).
"""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments import metrics
from assessments.models import DEFAULT_TARGETS, QuotaPolicy
from grids.tests.factories import AreaFactory, GridFactory, HouseholdFactory
from policing.periods import IsoWeek
from stations.models import Person
from stations.tests.factories import (
    AssignmentFactory,
    PersonFactory,
    PostFactory,
    StationFactory,
)
from visits.tests.factories import PatrolFactory, VisitFactory, local

pytestmark = pytest.mark.django_db

W46 = IsoWeek(2026, 46)
W47 = IsoWeek(2026, 47)
W48 = IsoWeek(2026, 48)
MON, TUE, WED, THU, SUN = 16, 17, 18, 19, 22  # days of November 2026 in W47


@pytest.fixture
def beat():
    """One person responsible for grid ``home``; grid ``away`` is not theirs."""
    station = StationFactory()
    home = GridFactory(area=AreaFactory(station=station))
    away = GridFactory(area=AreaFactory(station=station))
    person = PersonFactory(station=station, name="张警官")
    AssignmentFactory(person=person, grid=home, start=datetime.date(2026, 1, 1))
    return SimpleNamespace(station=station, home=home, away=away, person=person)


def quota(person, week=W47) -> metrics.QuotaRow:
    persons = Person.objects.filter(pk=person.pk)
    (row,) = metrics.weekly_quotas(week=week, persons=persons)
    return row


def visit(person, at, *, grid=None, household=None, info_items=0):
    household = household or HouseholdFactory(grid=grid)
    return VisitFactory(
        person=person, household=household, visited_at=at, info_items=info_items
    )


def patrol(person, grid, started_at, ended_at):
    return PatrolFactory(
        person=person, grid=grid, started_at=started_at, ended_at=ended_at
    )


#
# household_visits
#


def test_household_visited_twice_counts_once(beat):
    first = HouseholdFactory(grid=beat.home)
    second = HouseholdFactory(grid=beat.home)
    visit(beat.person, local(2026, 11, MON, 9), household=first)
    visit(beat.person, local(2026, 11, TUE, 9), household=first)
    visit(beat.person, local(2026, 11, WED, 9), household=second)
    # {first, second}: 3 visits, 2 distinct households.
    assert quota(beat.person).household_visits == 2


def test_visits_outside_the_week_do_not_count(beat):
    household = HouseholdFactory(grid=beat.home)
    visit(beat.person, local(2026, 11, 15, 23, 59), household=household)  # W46
    visit(beat.person, local(2026, 11, 23, 0, 0), household=household)  # W48
    assert quota(beat.person).household_visits == 0
    assert quota(beat.person, W46).household_visits == 1
    assert quota(beat.person, W48).household_visits == 1


def test_week_bounds_are_local_midnight(beat):
    """Monday 00:30 in Shanghai is Sunday 16:30 UTC, yet it belongs to W47."""
    household = HouseholdFactory(grid=beat.home)
    at = local(2026, 11, MON, 0, 30)
    assert at.astimezone(datetime.UTC).day == 15
    visit(beat.person, at, household=household)
    assert quota(beat.person).household_visits == 1
    assert quota(beat.person, W46).household_visits == 0


def test_other_persons_visits_do_not_count(beat):
    colleague = PersonFactory(station=beat.station)
    visit(colleague, local(2026, 11, MON, 9), grid=beat.home, info_items=5)
    row = quota(beat.person)
    assert (row.household_visits, row.info_items) == (0, 0)


#
# info_items
#


def test_info_items_are_summed(beat):
    household = HouseholdFactory(grid=beat.home)
    visit(beat.person, local(2026, 11, MON, 9), household=household, info_items=3)
    visit(beat.person, local(2026, 11, TUE, 9), household=household, info_items=4)
    visit(beat.person, local(2026, 11, WED, 9), grid=beat.away, info_items=0)
    visit(beat.person, local(2026, 11, 23, 9), grid=beat.home, info_items=9)  # W48
    # 3 + 4 + 0 = 7; the W48 visit's 9 items belong to the next week.
    assert quota(beat.person).info_items == 7


#
# patrol_hours
#


def test_patrol_across_sunday_midnight_is_split_between_weeks(beat):
    patrol(beat.person, beat.home, local(2026, 11, SUN, 22), local(2026, 11, 23, 2))
    # Sunday 22:00-24:00 is 2 h of W47; Monday 00:00-02:00 is 2 h of W48.
    assert quota(beat.person).patrol_hours == Decimal("2.00")
    assert quota(beat.person, W48).patrol_hours == Decimal("2.00")


def test_patrol_is_clipped_at_both_week_ends(beat):
    # From W46's Sunday 20:00 to W48's Monday 01:30: W47 gets all of itself,
    # 7 days x 24 h = 168 h; W46 gets 4 h (20:00-24:00); W48 gets 1.5 h.
    patrol(beat.person, beat.home, local(2026, 11, 15, 20), local(2026, 11, 23, 1, 30))
    assert quota(beat.person, W46).patrol_hours == Decimal("4.00")
    assert quota(beat.person).patrol_hours == Decimal("168.00")
    assert quota(beat.person, W48).patrol_hours == Decimal("1.50")


def test_patrol_ending_at_the_week_start_adds_nothing(beat):
    patrol(beat.person, beat.home, local(2026, 11, 15, 20), local(2026, 11, MON, 0))
    row = quota(beat.person)
    assert (row.patrol_hours, row.grid_days) == (Decimal("0.00"), 0)


def test_patrol_hours_are_summed_and_rounded_half_up(beat):
    start = local(2026, 11, TUE, 8)
    patrol(beat.person, beat.home, start, start + datetime.timedelta(hours=2.5))
    later = local(2026, 11, THU, 8)
    patrol(
        beat.person,
        beat.home,
        later,
        later + datetime.timedelta(hours=1, minutes=20, seconds=18),
    )
    # 2.5 h + 1 h 20 min 18 s = 2.5 + 1.3383... = 3.8383... h -> 3.84.
    assert quota(beat.person).patrol_hours == Decimal("3.84")


def test_patrol_hours_round_half_up_not_to_even(beat):
    start = local(2026, 11, TUE, 8)
    patrol(beat.person, beat.home, start, start + datetime.timedelta(seconds=18))
    # 18 s = 0.005 h exactly; half up gives 0.01 (half to even would give 0.00).
    assert quota(beat.person).patrol_hours == Decimal("0.01")


@time_machine.travel(local(2026, 11, WED, 12), tick=False)
def test_running_patrol_counts_up_to_now(beat):
    patrol(beat.person, beat.home, local(2026, 11, WED, 9, 30), None)
    # Wednesday 09:30 to now, Wednesday 12:00: 2.5 h.
    assert quota(beat.person).patrol_hours == Decimal("2.50")
    # Nothing of it lies in the future week, which also gets no grid day.
    row = quota(beat.person, W48)
    assert (row.patrol_hours, row.grid_days) == (Decimal("0.00"), 0)


@time_machine.travel(local(2026, 11, WED, 12), tick=False)
def test_running_patrol_started_last_week_is_clipped(beat):
    patrol(beat.person, beat.home, local(2026, 11, SUN - 7, 23), None)
    # W46: Sunday 23:00-24:00 = 1 h. W47: Monday 00:00 to Wednesday 12:00 =
    # 2 days x 24 h + 12 h = 60 h.
    assert quota(beat.person, W46).patrol_hours == Decimal("1.00")
    assert quota(beat.person).patrol_hours == Decimal("60.00")


#
# grid_days
#


def test_day_with_only_a_patrol_counts_as_a_grid_day(beat):
    visit(beat.person, local(2026, 11, MON, 9), grid=beat.home)
    patrol(beat.person, beat.home, local(2026, 11, WED, 9), local(2026, 11, WED, 11))
    # Monday (visit) + Wednesday (patrol only) = 2 days.
    assert quota(beat.person).grid_days == 2


def test_several_activities_on_one_local_day_count_once(beat):
    # Tuesday 00:30 and 23:30 local are Monday and Tuesday in UTC, but one
    # local date; the patrol the same day adds no day either.
    visit(beat.person, local(2026, 11, TUE, 0, 30), grid=beat.home)
    visit(beat.person, local(2026, 11, TUE, 23, 30), grid=beat.home)
    patrol(beat.person, beat.home, local(2026, 11, TUE, 14), local(2026, 11, TUE, 16))
    assert quota(beat.person).grid_days == 1


def test_visit_in_an_unassigned_grid_is_no_grid_day(beat):
    # Created directly, bypassing the API and its scope checks.
    visit(beat.person, local(2026, 11, MON, 9), grid=beat.away, info_items=2)
    patrol(beat.person, beat.away, local(2026, 11, TUE, 9), local(2026, 11, TUE, 10))
    row = quota(beat.person)
    assert row.grid_days == 0
    assert (row.household_visits, row.info_items) == (1, 2)
    assert row.patrol_hours == Decimal("1.00")


def test_grid_days_use_the_assignments_valid_that_day(beat):
    mover = PersonFactory(station=beat.station)
    # Grid home until Tuesday (inclusive), grid away from Thursday.
    AssignmentFactory(
        person=mover,
        grid=beat.home,
        role="assistant",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 11, TUE),
    )
    AssignmentFactory(
        person=mover,
        grid=beat.away,
        role="assistant",
        start=datetime.date(2026, 11, THU),
    )
    visit(mover, local(2026, 11, TUE, 9), grid=beat.home)  # counts
    visit(mover, local(2026, 11, WED, 9), grid=beat.home)  # ended Tuesday
    visit(mover, local(2026, 11, WED, 10), grid=beat.away)  # starts Thursday
    visit(mover, local(2026, 11, THU, 9), grid=beat.away)  # counts
    # Tuesday + Thursday = 2; Wednesday had no valid assignment.
    assert quota(mover).grid_days == 2
    assert quota(mover).household_visits == 4


def test_post_assignment_covers_the_grids_of_served_areas(beat):
    post = PostFactory(station=beat.station)
    post.serves.add(beat.away.area)
    keeper = PersonFactory(station=beat.station)
    AssignmentFactory(person=keeper, post=post, start=datetime.date(2026, 1, 1))
    visit(keeper, local(2026, 11, MON, 9), grid=beat.away)  # served area
    visit(keeper, local(2026, 11, TUE, 9), grid=beat.home)  # area not served
    # Monday only.
    assert quota(keeper).grid_days == 1


def test_patrol_counts_on_its_start_date_clipped_to_the_week(beat):
    patrol(beat.person, beat.home, local(2026, 11, SUN, 22), local(2026, 11, 23, 2))
    # W47: started Sunday -> 1 day. W48: clipped start is Monday 00:00 -> 1 day.
    assert quota(beat.person).grid_days == 1
    assert quota(beat.person, W48).grid_days == 1


def test_patrol_spanning_the_week_is_one_grid_day(beat):
    patrol(beat.person, beat.home, local(2026, 11, 15, 20), local(2026, 11, 23, 1))
    # Clipped start Monday 00:00: one day, however long the patrol.
    assert quota(beat.person).grid_days == 1


#
# Rows, targets, completion and met
#


def test_person_without_activity_gets_zeros(beat):
    row = quota(beat.person)
    assert row == metrics.QuotaRow(
        person=beat.person.pk,
        person_name="张警官",
        household_visits=0,
        info_items=0,
        patrol_hours=Decimal("0.00"),
        grid_days=0,
        targets=DEFAULT_TARGETS,
        completion=0.0,
        met=False,
    )


def test_targets_default_to_the_spec(beat):
    assert quota(beat.person).targets == {
        "household_visits": 20,
        "info_items": 20,
        "patrol_hours": Decimal("28.00"),
        "grid_days": 1,
    }


def test_targets_come_from_the_bureau_policy(beat):
    QuotaPolicy.objects.create(
        bureau=beat.station.bureau,
        household_visits=15,
        info_items=10,
        patrol_hours=Decimal("21.50"),
        grid_days=3,
    )
    other_bureau_person = PersonFactory()
    rows = metrics.weekly_quotas(
        week=W47,
        persons=Person.objects.filter(pk__in=[beat.person.pk, other_bureau_person.pk]),
    )
    targets = {row.person: row.targets for row in rows}
    assert targets[beat.person.pk] == {
        "household_visits": 15,
        "info_items": 10,
        "patrol_hours": Decimal("21.50"),
        "grid_days": 3,
    }
    assert targets[other_bureau_person.pk] == DEFAULT_TARGETS


def test_completion_is_the_mean_of_capped_shares(beat):
    for _ in range(10):
        visit(beat.person, local(2026, 11, MON, 9), grid=beat.home, info_items=2)
    patrol(beat.person, beat.home, local(2026, 11, MON, 6), local(2026, 11, MON, 20))
    row = quota(beat.person)
    # 10 households, 10 x 2 = 20 items, 06:00-20:00 = 14 h, all on Monday.
    assert (row.household_visits, row.info_items) == (10, 20)
    assert (row.patrol_hours, row.grid_days) == (Decimal("14.00"), 1)
    # (10/20 + 20/20 + 14/28 + 1/1) / 4 = (0.5 + 1 + 0.5 + 1) / 4 = 0.75
    assert row.completion == 0.75
    assert row.met is False


def test_surplus_is_capped_and_all_targets_reached_is_met(beat):
    QuotaPolicy.objects.create(
        bureau=beat.station.bureau,
        household_visits=2,
        info_items=1,
        patrol_hours=Decimal("1.00"),
        grid_days=1,
    )
    visit(beat.person, local(2026, 11, MON, 9), grid=beat.home, info_items=5)
    visit(beat.person, local(2026, 11, TUE, 9), grid=beat.home)
    patrol(beat.person, beat.home, local(2026, 11, TUE, 9), local(2026, 11, TUE, 12))
    row = quota(beat.person)
    # min(2/2, 1) + min(5/1, 1) + min(3/1, 1) + min(2/1, 1) = 4; 4 / 4 = 1.
    assert row.completion == 1.0
    assert row.met is True


def test_met_needs_every_target(beat):
    QuotaPolicy.objects.create(
        bureau=beat.station.bureau,
        household_visits=1,
        info_items=1,
        patrol_hours=Decimal("1.00"),
        grid_days=1,
    )
    visit(beat.person, local(2026, 11, MON, 9), grid=beat.home, info_items=1)
    patrol(beat.person, beat.home, local(2026, 11, MON, 9), local(2026, 11, MON, 9, 59))
    row = quota(beat.person)
    # 59 min = 0.9833 h -> 0.98 < 1: (1 + 1 + 0.98 + 1) / 4 = 0.995.
    assert row.patrol_hours == Decimal("0.98")
    assert row.completion == 0.995
    assert row.met is False


def test_completion_is_rounded_half_up_to_4_places(beat):
    QuotaPolicy.objects.create(
        bureau=beat.station.bureau,
        household_visits=3,
        info_items=3,
        patrol_hours=Decimal("3.00"),
        grid_days=3,
    )
    visit(beat.person, local(2026, 11, MON, 9), grid=beat.home)
    # (1/3 + 0/3 + 0/3 + 1/3) / 4 = 1/6 = 0.16666... -> 0.1667
    assert quota(beat.person).completion == 0.1667


def test_rows_are_ordered_by_name_then_id(beat):
    station = beat.station
    b = PersonFactory(station=station, name="b")
    a1 = PersonFactory(station=station, name="a")
    a2 = PersonFactory(station=station, name="a")
    rows = metrics.weekly_quotas(
        week=W47, persons=Person.objects.filter(pk__in=[b.pk, a2.pk, a1.pk])
    )
    assert [row.person for row in rows] == [a1.pk, a2.pk, b.pk]


def test_no_persons_no_rows():
    assert metrics.weekly_quotas(week=W47, persons=Person.objects.none()) == []


#
# Query count
#


def _count_queries(persons) -> int:
    with CaptureQueriesContext(connection) as queries:
        metrics.weekly_quotas(week=W47, persons=persons)
    return len(queries)


def test_query_count_does_not_grow_with_field_work(beat):
    visit(beat.person, local(2026, 11, MON, 9), grid=beat.home)
    small = _count_queries(Person.objects.filter(pk=beat.person.pk))

    station = StationFactory()
    grids = [GridFactory(area=AreaFactory(station=station)) for _ in range(3)]
    post = PostFactory(station=station)
    post.serves.add(grids[2].area)
    persons = [PersonFactory(station=station) for _ in range(5)]
    for n, person in enumerate(persons):
        if n % 2:
            AssignmentFactory(person=person, grid=grids[n % 2], role="assistant")
        else:
            AssignmentFactory(person=person, post=post)
    households = [HouseholdFactory(grid=grids[n % 3]) for n in range(12)]
    for n in range(50):
        visit(
            persons[n % 5],
            local(2026, 11, MON + n % 7, 8 + n % 10),
            household=households[n % 12],
            info_items=n % 4,
        )
    for n in range(20):
        start = local(2026, 11, MON + n % 7, 18)
        patrol(persons[n % 5], grids[n % 3], start, start + datetime.timedelta(hours=3))
    large = _count_queries(Person.objects.filter(station=station))

    # persons with their aggregates, grid days, quota policies
    assert small == large == 3


def test_the_example_week_of_docs_metrics_md(beat):
    h1, h2 = HouseholdFactory(grid=beat.home), HouseholdFactory(grid=beat.home)
    visit(beat.person, local(2026, 11, MON, 9), household=h1, info_items=2)
    visit(beat.person, local(2026, 11, MON, 10), household=h2, info_items=1)
    visit(beat.person, local(2026, 11, TUE, 15), household=h1, info_items=0)
    visit(beat.person, local(2026, 11, WED, 11), grid=beat.away, info_items=3)
    patrol(beat.person, beat.home, local(2026, 11, THU, 19), local(2026, 11, THU, 23))
    patrol(beat.person, beat.home, local(2026, 11, SUN, 22), local(2026, 11, 23, 2))
    row = quota(beat.person)
    # households {h1, h2, away's}: 3; items 2 + 1 + 0 + 3 = 6;
    # hours 4 (Thursday) + 2 (Sunday 22:00-24:00) = 6.00;
    # days Monday, Tuesday, Thursday, Sunday = 4 (Wednesday: unassigned grid);
    # completion (3/20 + 6/20 + 6/28 + min(4/1, 1)) / 4
    #          = (0.15 + 0.3 + 0.2142857 + 1) / 4 = 0.4160714 -> 0.4161
    assert (row.household_visits, row.info_items) == (3, 6)
    assert (row.patrol_hours, row.grid_days) == (Decimal("6.00"), 4)
    assert (row.completion, row.met) == (0.4161, False)
