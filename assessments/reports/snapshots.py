"""Nightly snapshots of the weekly quotas and the coverage, and their trends.

Quota figures and coverage are computed live from the records (SPEC §3);
the snapshots keep what they were, so that a week can be set against the
week before and a month against the month before without recomputing a
year of field work. Taking a snapshot is idempotent: it replaces the
period's rows in one transaction, so running the night's task twice, or
again after late offline records arrive, never duplicates a row.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from assessments import metrics
from assessments.models import CoverageSnapshot, QuotaSnapshot
from grids.metrics import (
    COUNT_NAMES,
    COVERAGE_RATES,
    Coverage,
    coverage_counts_by_station,
    coverage_of_counts,
)
from policing.periods import IsoWeek, Month
from stations.models import Assignment, Person, Station

COMPLETION = Decimal("0.0001")


#
# Taking snapshots
#


def quota_persons(week: IsoWeek) -> QuerySet[Person]:
    """Return the persons whose quota is tracked in ``week``.

    The staff of a station, its chief excepted, with an assignment to a grid
    or a post valid on at least one day of the week: the people the weekly
    quota holds to account (the chief leads, bureau staff have no grid).
    """
    valid = Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=week.monday),
        person=OuterRef("pk"),
        start__lte=week.days[-1],
    )
    return Person.objects.filter(Exists(valid), station__isnull=False, is_chief=False)


def take_quota_snapshots(week: IsoWeek, *, now: datetime.datetime | None = None) -> int:
    """Store the quota figures of ``week`` for every tracked person.

    Replaces the week's snapshot rows as a whole; return their number. Five
    queries and a bulk insert, whatever the amount of field work.
    """
    now = now or timezone.now()
    persons = quota_persons(week)
    homes = {
        pk: (station, bureau)
        for pk, station, bureau in persons.values_list("pk", "station", "bureau")
    }
    rows = metrics.weekly_quotas(week=week, persons=persons)
    snapshots = [
        QuotaSnapshot(
            week_start=week.monday,
            person_id=row.person,
            station_id=homes[row.person][0],
            bureau_id=homes[row.person][1],
            household_visits=row.household_visits,
            info_items=row.info_items,
            patrol_hours=row.patrol_hours,
            grid_days=row.grid_days,
            completion=Decimal(str(row.completion)),
            met=row.met,
            computed_at=now,
        )
        for row in rows
    ]
    with transaction.atomic():
        QuotaSnapshot.objects.filter(week_start=week.monday).delete()
        QuotaSnapshot.objects.bulk_create(snapshots, batch_size=1000)
    return len(snapshots)


def take_coverage_snapshots(
    day: datetime.date, *, now: datetime.datetime | None = None
) -> int:
    """Store every station's coverage counts on ``day``; return the number stored.

    Replaces the day's rows as a whole. Two queries and a bulk insert.
    """
    now = now or timezone.now()
    counts = coverage_counts_by_station(Station.objects.all(), on=day)
    snapshots = [
        CoverageSnapshot(day=day, station_id=station, computed_at=now, **row)
        for station, row in counts.items()
    ]
    with transaction.atomic():
        CoverageSnapshot.objects.filter(day=day).delete()
        CoverageSnapshot.objects.bulk_create(snapshots, batch_size=1000)
    return len(snapshots)


def take_nightly_snapshots(now: datetime.datetime | None = None) -> dict[str, int]:
    """The night's work: this week's and last week's quotas, today's coverage.

    Last week is taken again because records made offline reach the server
    late; after this Monday night's run its figures are final enough, and
    later runs leave them alone. Return the row counts stored.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    week = IsoWeek.containing(today)
    return {
        "quotas": take_quota_snapshots(week, now=now)
        + take_quota_snapshots(week.previous(), now=now),
        "coverage": take_coverage_snapshots(today, now=now),
    }


#
# Trends
#


@dataclass(frozen=True)
class QuotaPoint:
    """The quota figures of a set of persons in one week, from the snapshots.

    ``completion`` is the mean of the persons' completions (4 decimals) and
    None, like the counts' 0, for a week without a snapshot.
    """

    week: str
    persons: int
    met: int
    completion: float | None


@dataclass(frozen=True)
class CoveragePoint:
    """The coverage of a set of stations on the last snapshot day of a month."""

    month: str
    day: datetime.date | None
    coverage: Coverage | None


@dataclass(frozen=True)
class Trends:
    """Weekly quota completion and month-end coverage, with their changes.

    ``week_on_week`` is the last week's completion minus the week before's;
    ``month_on_month`` maps each coverage rate to the last month's rate
    minus the month before's. A change is None when either side is.
    """

    weeks: list[QuotaPoint]
    week_on_week: float | None
    months: list[CoveragePoint]
    month_on_month: dict[str, float | None]


def quota_trend(
    snapshots: QuerySet[QuotaSnapshot], *, until: IsoWeek, weeks: int
) -> list[QuotaPoint]:
    """Return one point per week for the ``weeks`` weeks ending with ``until``.

    ``snapshots`` is the scope (e.g. one station's rows). One query.
    """
    wanted = [until]
    while len(wanted) < weeks:
        wanted.insert(0, wanted[0].previous())
    totals = {
        row["week_start"]: row
        for row in snapshots.filter(
            week_start__gte=wanted[0].monday, week_start__lte=until.monday
        )
        .order_by()
        .values("week_start")
        .annotate(
            persons=Count("pk"),
            met_count=Count("pk", filter=Q(met=True)),
            completion_sum=Sum("completion"),
        )
    }
    points = []
    for week in wanted:
        total = totals.get(week.monday)
        if total is None:
            points.append(QuotaPoint(str(week), 0, 0, None))
            continue
        mean = Decimal(total["completion_sum"]) / total["persons"]
        points.append(
            QuotaPoint(
                str(week),
                total["persons"],
                total["met_count"],
                float(mean.quantize(COMPLETION, rounding=ROUND_HALF_UP)),
            )
        )
    return points


def coverage_trend(
    snapshots: QuerySet[CoverageSnapshot], *, until: Month, months: int
) -> list[CoveragePoint]:
    """Return the coverage on the last snapshot day of each of ``months`` months.

    The months end with ``until``; the stations of ``snapshots`` are added
    up (a bureau's rates are the sums of its stations' counts, as live).
    Two queries: the last day of each month, then the sums on those days.
    """
    wanted = [until]
    while len(wanted) < months:
        wanted.insert(0, wanted[0].previous())
    in_range = snapshots.filter(
        day__gte=wanted[0].first_day, day__lte=until.last_day
    ).order_by()
    last_days = {
        Month(row["day__year"], row["day__month"]): row["last"]
        for row in in_range.values("day__year", "day__month").annotate(last=Max("day"))
    }
    sums = {
        row["day"]: row
        for row in in_range.filter(day__in=list(last_days.values()))
        .values("day")
        .annotate(**{name: Sum(name) for name in COUNT_NAMES})
    }
    points = []
    for month in wanted:
        day = last_days.get(month)
        coverage = coverage_of_counts(sums[day]) if day in sums else None
        points.append(CoveragePoint(str(month), day, coverage))
    return points


def trends(
    *,
    quota_snapshots: QuerySet[QuotaSnapshot],
    coverage_snapshots: QuerySet[CoverageSnapshot],
    until: datetime.date,
    weeks: int = 8,
    months: int = 6,
) -> Trends:
    """Return the quota and coverage trends of a scope up to ``until``.

    Three queries.
    """
    week_points = quota_trend(
        quota_snapshots, until=IsoWeek.containing(until), weeks=weeks
    )
    month_points = coverage_trend(
        coverage_snapshots, until=Month.containing(until), months=months
    )
    before, last = (None, None) if weeks < 2 else week_points[-2:]
    return Trends(
        weeks=week_points,
        week_on_week=_change(before and before.completion, last and last.completion),
        months=month_points,
        month_on_month=_rate_changes(month_points),
    )


def _rate_changes(points: list[CoveragePoint]) -> dict[str, float | None]:
    """Return each rate's change from the second last point to the last."""
    before, last = (None, None) if len(points) < 2 else (points[-2], points[-1])
    return {
        name: _change(_rate(before, name), _rate(last, name)) for name in COVERAGE_RATES
    }


def _rate(point: CoveragePoint | None, name: str) -> float | None:
    if point is None or point.coverage is None:
        return None
    return getattr(point.coverage, name).rate


def _change(before: float | None, after: float | None) -> float | None:
    """Return ``after - before`` in 4 decimals, None when either is None."""
    if before is None or after is None:
        return None
    change = Decimal(str(after)) - Decimal(str(before))
    return float(change.quantize(COMPLETION, rounding=ROUND_HALF_UP))
