"""What the county bureau's dashboard shows for a month, in a fixed number of queries.

Quota completion is read from the nightly snapshots (the weeks whose
Thursday is in the month, as in the monthly report), coverage and disputes
from one aggregate each, the ranking from the stored assessment or, before
it is stored, from the running copy ``assessments.interim`` keeps.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q
from django.utils import timezone

from assessments import assessment, interim
from assessments.models import AssessmentRow, MonthlyAssessment, QuotaSnapshot
from assessments.reports.monthly import weeks_of
from dashboards.maps import feature_collection
from dashboards.station import completion_by_grid
from disputes.models import Dispute
from disputes.querysets import OPEN_STATUSES
from grids.metrics import Coverage, coverage_by_station
from grids.models import Grid
from policing.periods import Month
from stations.models import Assignment, Bureau, Station

COMPLETION = Decimal("0.0001")
INTERIM = "interim"
SCORE = Decimal("0.01")


@dataclass(frozen=True)
class StationColumn:
    station: Station
    coverage: Coverage
    #: mean weekly completion of the station's tracked staff in the month
    completion: float | None
    #: mean assessment score of its assessed staff
    average_score: Decimal | None
    assessed: int
    open_disputes: int
    overdue_disputes: int


@dataclass(frozen=True)
class CountyDashboard:
    bureau: Bureau
    month: Month
    #: "computed" or "published" when stored, else "interim"
    assessment_status: str
    #: when the ranking was computed
    assessment_computed_at: datetime.datetime
    stations: list[StationColumn]
    ranking: list[assessment.Row]
    station_names: dict[int, str]
    completion: float | None
    average_score: Decimal | None
    map: dict


def county_dashboard(
    bureau: Bureau, month: Month, *, now: datetime.datetime | None = None
) -> CountyDashboard:
    """Return the county dashboard of ``bureau`` for ``month``.

    A fixed number of queries whatever the number of stations, grids and
    staff; the first view of a month not stored yet computes its running
    assessment (``assessments.interim``), the later ones read it.
    """
    now = now or timezone.now()
    on = min(month.last_day, timezone.localdate(now))
    stations = list(Station.objects.filter(bureau=bureau).order_by("code", "pk"))
    coverage = coverage_by_station(Station.objects.filter(bureau=bureau), on=on)
    snapshots = QuotaSnapshot.objects.filter(
        bureau=bureau, week_start__in=[week.monday for week in weeks_of(month)]
    )
    by_station = dict(
        snapshots.order_by()
        .values("station")
        .annotate(mean=Avg("completion"))
        .values_list("station", "mean")
    )
    by_person = dict(
        snapshots.order_by()
        .values("person")
        .annotate(mean=Avg("completion"))
        .values_list("person", "mean")
    )
    ranking, status, computed_at = _ranking(bureau, month, now=now)
    scores = defaultdict(list)
    for row in ranking:
        if row.score is not None:
            scores[row.station].append(row.score)
    disputes = _disputes_by_station(bureau, now=now)
    columns = [
        StationColumn(
            station=station,
            coverage=coverage[station.pk],
            completion=_rounded(by_station.get(station.pk), COMPLETION),
            average_score=_average(scores[station.pk]),
            assessed=sum(row.station == station.pk for row in ranking),
            open_disputes=disputes[station.pk]["open"],
            overdue_disputes=disputes[station.pk]["overdue"],
        )
        for station in stations
    ]
    names = {station.pk: station.name for station in stations}
    return CountyDashboard(
        bureau=bureau,
        month=month,
        assessment_status=status,
        assessment_computed_at=computed_at,
        stations=columns,
        ranking=ranking,
        station_names=names,
        completion=_rounded(
            snapshots.aggregate(mean=Avg("completion"))["mean"], COMPLETION
        ),
        average_score=_average([row.score for row in ranking if row.score is not None]),
        map=_grid_map(bureau, by_person, on=on, names=names),
    )


def _ranking(bureau: Bureau, month: Month, *, now):
    """Return the month's rows, their status and when they were computed."""
    stored = MonthlyAssessment.objects.for_month(month).filter(bureau=bureau).first()
    if stored is not None:
        rows = assessment.stored_rows(AssessmentRow.objects.filter(assessment=stored))
        return rows, stored.status, stored.computed_at
    rows, computed_at = interim.interim_rows(bureau, month, now=now)
    return rows, INTERIM, computed_at


def _disputes_by_station(bureau: Bureau, *, now) -> dict[int, dict[str, int]]:
    """Open and overdue disputes of each station, now. One query."""
    overdue = Dispute.objects.overdue_condition(now)
    rows = (
        Dispute.objects.of_bureau(bureau.pk)
        .order_by()
        .values("grid__area__station")
        .annotate(
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
            overdue=Count("pk", filter=overdue),
        )
    )
    counts = defaultdict(lambda: {"open": 0, "overdue": 0})
    for row in rows:
        counts[row["grid__area__station"]] = row
    return counts


def _grid_map(bureau: Bureau, completion_by_person: dict, *, on, names) -> dict:
    """Every grid of the bureau, coloured by its staff's mean completion.

    The staff are those assigned to the grid on ``on``; their completion is
    the mean over the month's snapshots. Two queries.
    """
    by_grid = completion_by_grid(
        Assignment.objects.current(on=on).filter(grid__area__station__bureau=bureau),
        {person: float(mean) for person, mean in completion_by_person.items()},
    )
    grids = Grid.objects.of_bureau(bureau.pk).values(
        "pk", "name", "code", "boundary", "area__station"
    )
    return {
        "grids": feature_collection(
            (
                grid["boundary"],
                {
                    "id": grid["pk"],
                    "name": grid["name"],
                    "code": grid["code"],
                    "station": names.get(grid["area__station"]),
                    "completion": by_grid.get(grid["pk"]),
                },
            )
            for grid in grids
        )
    }


def _average(scores) -> Decimal | None:
    if not scores:
        return None
    return (sum(scores) / len(scores)).quantize(SCORE, rounding=ROUND_HALF_UP)


def _rounded(value, places: Decimal) -> float | None:
    if value is None:
        return None
    return float(Decimal(value).quantize(places, rounding=ROUND_HALF_UP))
