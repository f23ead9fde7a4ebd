"""What the station chief's morning page shows, read in a fixed number of queries.

Every figure comes from the same functions as the API (weekly quotas,
coverage, the key-person contact regime) or from one SQL aggregate; nothing
here loops over visit, dispute or case rows. ``docs/metrics.md``
("Dashboards") states what each card counts.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from statistics import mean

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from assessments.metrics import QuotaRow, weekly_quotas
from assessments.reports.snapshots import quota_persons
from cases.models import Case
from dashboards.maps import feature_collection, point
from disputes.models import Dispute
from disputes.querysets import OPEN_STATUSES
from grids.metrics import TARGETS, Coverage, coverage
from grids.models import Grid, Resident
from policing.periods import IsoWeek, Month, local_midnight
from stations.models import Assignment, Post, Station
from visits.metrics import DueContact, key_person_contacts_due
from visits.models import Visit

#: Weeks of daily visit counts in the chart.
CHART_WEEKS = 8
#: Rows shown in each action list; the lists say how many more there are.
LIST_LIMIT = 10


@dataclass(frozen=True)
class DisputeCard:
    open_by_colour: dict[str, int]
    overdue: int

    @property
    def open(self) -> int:
        return sum(self.open_by_colour.values())


@dataclass(frozen=True)
class StationDashboard:
    station: Station
    week: IsoWeek
    today: datetime.date
    quotas: list[QuotaRow]
    #: the mean completion of the tracked staff, None without staff
    completion: float | None
    #: the share of the week gone by: a person under it is behind
    expected_completion: float
    visits_this_week: int
    visits_last_week: int
    disputes: DisputeCard
    cases_this_month: dict[str, int]
    coverage: Coverage
    coverage_targets: dict[str, float | None]
    #: (local date, visits) for every day of the last CHART_WEEKS weeks
    visits_per_day: list[tuple[datetime.date, int]]
    behind: list[QuotaRow]
    overdue_disputes: list[Dispute]
    contacts_due: list[DueContact]
    map: dict

    @property
    def cases_total(self) -> int:
        return sum(self.cases_this_month.values())


def station_dashboard(
    station: Station, *, now: datetime.datetime | None = None
) -> StationDashboard:
    """Return the dashboard of ``station`` as of ``now`` (default: now).

    A fixed number of queries whatever the size of the station.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    week = IsoWeek.containing(today)
    quotas = station_quotas(station, week)
    expected = week_pace(today)
    this_week, last_week = _visits_in_weeks(station, week)
    disputes = Dispute.objects.of_station(station.pk)
    grid_completion = completion_by_grid(
        Assignment.objects.current(on=today).filter(grid__area__station=station),
        {row.person: row.completion for row in quotas},
    )
    return StationDashboard(
        station=station,
        week=week,
        today=today,
        quotas=quotas,
        completion=_mean(row.completion for row in quotas),
        expected_completion=round(expected, 4),
        visits_this_week=this_week,
        visits_last_week=last_week,
        disputes=dispute_card(disputes, now=now),
        cases_this_month=_cases_in_month(station, Month.containing(today)),
        coverage=coverage(stations=Station.objects.filter(pk=station.pk), on=today),
        coverage_targets=TARGETS,
        visits_per_day=_visits_per_day(station, week, today),
        behind=behind(quotas, expected),
        overdue_disputes=list(
            disputes.overdue(now)
            .select_related("grid")
            .order_by("reported_at", "pk")[:LIST_LIMIT]
        ),
        contacts_due=key_person_contacts_due(
            residents=Resident.objects.of_station(station.pk), today=today
        ),
        map=station_map(station, grid_completion=grid_completion, now=now),
    )


def station_quotas(station: Station, week: IsoWeek) -> list[QuotaRow]:
    """The weekly quota rows of the station's staff."""
    return weekly_quotas(week=week, persons=quota_persons(week).filter(station=station))


def week_pace(today: datetime.date) -> float:
    """The share of the week gone by at the end of ``today``: the pace."""
    monday = IsoWeek.containing(today).monday
    return (today - monday).days / 7 + 1 / 7


def behind(quotas: list[QuotaRow], pace: float) -> list[QuotaRow]:
    """The rows under the pace, furthest behind first."""
    return sorted(
        (row for row in quotas if row.completion < pace),
        key=lambda row: (row.completion, row.person_name),
    )


def dispute_card(disputes, *, now: datetime.datetime) -> DisputeCard:
    """Count open disputes by colour and the overdue ones, in one query."""
    totals = disputes.open_counts(now)
    overdue = totals.pop("overdue")
    return DisputeCard(open_by_colour=totals, overdue=overdue)


def station_map(
    station: Station, *, grid_completion: dict[int, float | None], now
) -> dict:
    """Return the station's map layers as GeoJSON FeatureCollections.

    Grids carry their quota completion (the colour), posts their kind, open
    disputes their colour; a dispute without a located household is drawn
    at the centre of its grid's bounding box. Three queries.
    """
    grids = list(
        Grid.objects.of_station(station.pk).values(
            "pk", "name", "code", "boundary", "min_lon", "min_lat", "max_lon", "max_lat"
        )
    )
    centres = {
        grid["pk"]: point(
            (grid["min_lon"] + grid["max_lon"]) / 2,
            (grid["min_lat"] + grid["max_lat"]) / 2,
        )
        for grid in grids
        if grid["min_lon"] is not None
    }
    posts = Post.objects.filter(station=station, location__isnull=False).values(
        "pk", "name", "kind", "location"
    )
    disputes = (
        Dispute.objects.of_station(station.pk)
        .filter(status__in=OPEN_STATUSES)
        .annotate_overdue(now)
        .values(
            "pk",
            "colour",
            "category",
            "status",
            "grid_id",
            "is_overdue",
            location=F("household__location"),
        )
    )
    return {
        "grids": feature_collection(
            (
                grid["boundary"],
                {
                    "id": grid["pk"],
                    "name": grid["name"],
                    "code": grid["code"],
                    "completion": grid_completion.get(grid["pk"]),
                },
            )
            for grid in grids
        ),
        "posts": feature_collection(
            (
                post["location"],
                {"id": post["pk"], "name": post["name"], "kind": post["kind"]},
            )
            for post in posts
        ),
        "disputes": feature_collection(
            (
                dispute["location"] or centres.get(dispute["grid_id"]),
                {
                    "id": dispute["pk"],
                    "colour": dispute["colour"],
                    "category": dispute["category"],
                    "status": dispute["status"],
                    "overdue": dispute["is_overdue"],
                },
            )
            for dispute in disputes
        ),
    }


def completion_by_grid(
    assignments: QuerySet[Assignment], completion: dict[int, float]
) -> dict[int, float | None]:
    """Each grid's mean completion over its tracked staff in ``assignments``.

    ``completion`` maps a person to their completion; a grid whose assigned
    staff are not tracked (no one, or only the chief) is left out, and the
    maps draw it grey. One query.
    """
    staff = defaultdict(list)
    for grid_id, person_id in assignments.filter(grid__isnull=False).values_list(
        "grid_id", "person_id"
    ):
        if person_id in completion:
            staff[grid_id].append(completion[person_id])
    return {grid_id: _mean(values) for grid_id, values in staff.items()}


def _visits_in_weeks(station: Station, week: IsoWeek) -> tuple[int, int]:
    previous = week.previous()
    totals = (
        Visit.objects.of_station(station.pk)
        .filter(visited_at__gte=previous.start, visited_at__lt=week.end)
        .aggregate(
            this=Count("pk", filter=Q(visited_at__gte=week.start)),
            last=Count("pk", filter=Q(visited_at__lt=week.start)),
        )
    )
    return totals["this"], totals["last"]


def _visits_per_day(
    station: Station, week: IsoWeek, today: datetime.date
) -> list[tuple[datetime.date, int]]:
    """Return the visits of each local day of the last CHART_WEEKS weeks to today."""
    first = week.monday - datetime.timedelta(weeks=CHART_WEEKS - 1)
    counts = dict(
        Visit.objects.of_station(station.pk)
        .filter(visited_at__gte=local_midnight(first), visited_at__lt=week.end)
        .annotate(day=TruncDate("visited_at", tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values("day")
        .annotate(visits=Count("pk"))
        .values_list("day", "visits")
    )
    days = (first + datetime.timedelta(days=n) for n in range(7 * CHART_WEEKS))
    return [(day, counts.get(day, 0)) for day in days if day <= today]


def _cases_in_month(station: Station, month: Month) -> dict[str, int]:
    """Return the cases reported in ``month`` by kind."""
    rows = (
        Case.objects.of_station(station.pk)
        .filter(reported_at__gte=month.start, reported_at__lt=month.end)
        .order_by()
        .values("kind")
        .annotate(cases=Count("pk"))
        .values_list("kind", "cases")
    )
    return dict.fromkeys(Case.Kind.values, 0) | dict(rows)


def _mean(values) -> float | None:
    values = list(values)
    return round(mean(values), 4) if values else None
