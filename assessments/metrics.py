"""Read-side metrics of the assessments app (SPEC §3).

Every function here builds its numbers with SQL aggregates, so the number of
queries does not grow with the number of visits or patrols.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connections
from django.db.models import (
    Count,
    DurationField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate
from django.utils import timezone

from assessments.models import DEFAULT_TARGETS, QuotaPolicy
from policing.periods import IsoWeek
from policing.querysets import per_row
from stations.models import Assignment, Person
from visits.models import Patrol, Visit

HOURS = Decimal("0.01")
_MICROSECONDS_PER_HOUR = 3_600 * 1_000_000

#: The four weekly quota metrics of SPEC §3, in their documented order.
QUOTA_METRICS = tuple(DEFAULT_TARGETS)


@dataclass(frozen=True)
class QuotaRow:
    """One person's weekly quota figures against the bureau's targets."""

    person: int
    person_name: str
    household_visits: int
    info_items: int
    patrol_hours: Decimal
    grid_days: int
    targets: dict
    completion: float
    met: bool


def weekly_quotas(*, week: IsoWeek, persons: QuerySet[Person]) -> list[QuotaRow]:
    """Return the weekly quota row of every person in ``persons`` (SPEC §3).

    All times are local (``TIME_ZONE``); ``week`` runs from Monday 00:00 to
    the next Monday 00:00, end excluded.

    * ``household_visits``: the number of distinct households with at least
      one visit by the person in the week; a household visited twice counts
      once, because the quota is about reaching households, not revisiting.
    * ``info_items``: the sum of ``info_items`` over the person's visits in
      the week, 0 when there is none.
    * ``patrol_hours``: the sum of the person's patrol durations clipped to
      the week, in hours rounded half up to 2 decimals; a patrol crossing
      Sunday midnight is split between the two weeks, so no hour is counted
      twice, and a running patrol (``ended_at`` empty) counts up to now, so
      the figure grows while it runs and never includes the future.
    * ``grid_days``: the number of distinct local dates of the week with a
      visit or a patrol by the person in a grid the person was assigned to
      on that date, directly or through a post serving the grid's area; the
      assignments valid then are used, so history stays correct after staff
      move. A visit counts on its local date. A patrol counts on the local
      date of its start clipped to the week start: a patrol from Sunday 22:00
      to Monday 02:00 is a Sunday in the first week and a Monday in the
      second, so each week credits a day it actually overlaps, and a long
      patrol is one working day, not several.
    * ``targets``: the bureau's :class:`QuotaPolicy`, the SPEC defaults when
      the bureau has none.
    * ``completion``: the mean over the four metrics of
      ``min(actual / target, 1)``, rounded half up to 4 decimals; capping at
      1 keeps a surplus on one metric from hiding a shortfall on another.
      ``met`` is whether every metric reaches its target. Both use the
      reported (rounded) patrol hours, so a row can be checked by hand.

    Rows are ordered by person name (code point order, the same on every
    database), then id; a person without activity gets a row of zeros.
    Three queries whatever the amount of field work: the persons with their
    visit and patrol aggregates, the distinct (person, date) pairs of grid
    days, and the quota policies.
    """
    now = timezone.now()
    totals = list(
        persons.annotate(
            _household_visits=per_row(
                Visit.objects.in_week(week),
                Count("household", distinct=True),
                link="person",
            ),
            _info_items=per_row(
                Visit.objects.in_week(week),
                Sum("info_items"),
                link="person",
            ),
            _patrol_time=per_row(
                Patrol.objects.clipped_to(week.start, week.end, now=now),
                Patrol.objects.clipped_time(),
                link="person",
                output_field=DurationField(),
                default=datetime.timedelta(0),
            ),
        )
        .order_by()
        .values(
            "pk",
            "name",
            "bureau_id",
            "_household_visits",
            "_info_items",
            "_patrol_time",
        )
    )
    # The ids as a list, not a subquery: PostgreSQL then reads each person's
    # patrols off the (person, ended_at) index instead of scanning them all.
    days = _grid_days(week=week, now=now, person_ids=[row["pk"] for row in totals])
    # Sorted here, not by ORDER BY: database collations order names
    # differently, and the result must not depend on the backend.
    totals.sort(key=lambda total: (total["name"], total["pk"]))
    targets = QuotaPolicy.targets_by_bureau({row["bureau_id"] for row in totals})
    rows = []
    for total in totals:
        actual = {
            "household_visits": total["_household_visits"],
            "info_items": total["_info_items"],
            "patrol_hours": _hours(total["_patrol_time"]),
            "grid_days": days.get(total["pk"], 0),
        }
        target = targets[total["bureau_id"]]
        rows.append(
            QuotaRow(
                person=total["pk"],
                person_name=total["name"],
                **actual,
                targets=dict(target),
                completion=_completion(actual=actual, target=target),
                met=all(actual[name] >= target[name] for name in QUOTA_METRICS),
            )
        )
    return rows


def _grid_days(*, week: IsoWeek, now: datetime.datetime, person_ids: list) -> dict:
    """Return the number of local dates each person worked in an assigned grid.

    One query: the distinct (person, date) pairs of visits and of patrols
    (on their clipped start date), kept when the person held an assignment
    to the grid, or to a post serving the grid's area, on that date, and
    counted per person.
    """
    if not person_ids:
        return {}
    tz = timezone.get_current_timezone()
    visit_days = (
        Visit.objects.in_week(week)
        .filter(person__in=person_ids)
        .annotate(day=TruncDate("visited_at", tzinfo=tz))
        .filter(_assigned_on_day())
        .order_by()
        .values("person", "day")
    )
    patrol_days = (
        Patrol.objects.clipped_to(week.start, week.end, now=now)
        .filter(person__in=person_ids)
        .annotate(day=TruncDate("clipped_start", tzinfo=tz))
        .filter(_assigned_on_day())
        .order_by()
        .values("person", "day")
    )
    # UNION (not UNION ALL) leaves each (person, date) pair once. The ORM
    # cannot group a union, so the count wraps its SQL.
    pairs = visit_days.union(patrol_days)
    sql, params = pairs.query.sql_with_params()
    with connections[pairs.db].cursor() as cursor:
        cursor.execute(
            f"SELECT person, COUNT(*) FROM ({sql}) AS days GROUP BY person", params
        )
        return dict(cursor.fetchall())


def _assigned_on_day() -> Exists:
    """Match a visit or patrol whose person was assigned to its grid that day."""
    valid = Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=OuterRef("day")),
        person=OuterRef("person"),
        start__lte=OuterRef("day"),
    )
    return Exists(valid.filter(grid=OuterRef("grid"))) | Exists(
        valid.filter(post__serves=OuterRef("grid__area"))
    )


def _hours(duration: datetime.timedelta) -> Decimal:
    """Return ``duration`` in hours, rounded half up to 2 decimals."""
    microseconds = Decimal(duration // datetime.timedelta(microseconds=1))
    return (microseconds / _MICROSECONDS_PER_HOUR).quantize(
        HOURS, rounding=ROUND_HALF_UP
    )


def _completion(*, actual: dict, target: dict) -> float:
    """Return the mean of ``min(actual / target, 1)``, rounded half up.

    A target of 0 (the validators forbid it, the column does not) is met by
    any figure, so it counts as complete instead of dividing by zero.
    """
    # Exact rational arithmetic on plain integers: the same result as
    # Fraction, at a tenth of its cost over a city's thousands of rows.
    numerator, denominator = 0, 1
    for name in QUOTA_METRICS:
        if target[name]:
            done, of = actual[name].as_integer_ratio()
            goal, per = target[name].as_integer_ratio()
            share = (done * per, of * goal)  # actual / target
            if share[0] >= share[1]:
                share = (1, 1)
        else:
            share = (1, 1)
        numerator = numerator * share[1] + share[0] * denominator
        denominator *= share[1]
    denominator *= len(QUOTA_METRICS)
    # Half up to 4 decimals: floor(mean * 10^4 + 1/2), in integers.
    scaled = (2 * numerator * 10_000 + denominator) // (2 * denominator)
    return scaled / 10_000
