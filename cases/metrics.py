"""Read-side metrics of cases: incident rates, clearance and ratings.

Every figure is built with SQL aggregates (correlated ``COUNT`` subqueries
and conditional ``COUNT``), so :func:`case_metrics` runs four queries
whatever the number of cases, residents, grids or ratings.
``docs/metrics.md`` ("Cases") states the same definitions with a worked
example.
"""

from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum

from cases.models import Case, Kind, Rating, Status
from grids.models import Grid, Resident
from policing.metrics import RATE_PLACES, Rate
from policing.periods import Month
from policing.querysets import per_row
from stations.models import Station

#: Incidents are counted per this many residents (发案率, per 10,000).
PER_RESIDENTS = 10_000
#: The seeds' target for a satisfaction rate: 90 %.
TARGET_RATE = 0.9
#: The lowest score that counts as satisfied (4 satisfied, 5 very satisfied).
SATISFIED_SCORE = 4
#: The statuses of a solved case (破案/查处), closed or not.
SOLVED_STATUSES = (Status.SOLVED, Status.CLOSED)

PER_RESIDENTS_PLACES = Decimal("0.01")
SCORE_PLACES = Decimal("0.01")


def _round(value: Decimal, places: Decimal) -> Decimal:
    """Round half away from zero (``ROUND_HALF_UP`` of :mod:`decimal`)."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def year_on_year(current: int, previous: int) -> float | None:
    """Return the change (同比) from ``previous`` to ``current``.

    That is ``(current - previous) / previous`` rounded half away from zero
    to 4 decimals: 61 cases after 72 is -0.1528, "down 15.28 %" as the seeds
    put it. None when ``previous`` is 0, because a change from nothing has
    no ratio (and 0 → 0 is no evidence of a trend either).
    """
    if not previous:
        return None
    return float(_round(Decimal(current - previous) / Decimal(previous), RATE_PLACES))


def per_10k(cases: int, residents: int) -> Decimal | None:
    """Return ``cases / residents * 10,000`` rounded half up to 2 decimals.

    None when there are no residents: a grid without a recorded population
    (new, or not surveyed yet) has no rate rather than an infinite one.
    """
    if not residents:
        return None
    exact = Decimal(cases * PER_RESIDENTS) / Decimal(residents)
    return _round(exact, PER_RESIDENTS_PLACES)


#
# Incident rates
#


@dataclass(frozen=True)
class Incidents:
    """Cases reported in a month against the residents, and year on year.

    The counts are stored; the rate and the changes are derived from them,
    so a station or total made by adding counts has the right rates.
    """

    cases: int
    criminal: int
    administrative: int
    residents: int
    same_month_last_year: int
    criminal_same_month_last_year: int

    @property
    def rate_per_10k(self) -> Decimal | None:
        return per_10k(self.cases, self.residents)

    @property
    def yoy_change(self) -> float | None:
        return year_on_year(self.cases, self.same_month_last_year)

    @property
    def criminal_yoy_change(self) -> float | None:
        return year_on_year(self.criminal, self.criminal_same_month_last_year)

    @staticmethod
    def total(rows: list["Incidents"]) -> "Incidents":
        """Return the sums of the counts of ``rows`` (zeros when empty)."""
        return Incidents(
            **{
                field.name: sum(getattr(row, field.name) for row in rows)
                for field in fields(Incidents)
            }
        )


@dataclass(frozen=True)
class GridIncidents(Incidents):
    """The incident figures of one grid."""

    grid: int
    grid_code: str
    grid_name: str
    station: int


@dataclass(frozen=True)
class StationIncidents(Incidents):
    """The incident figures of one station: the sums over its grids."""

    station: int
    station_code: str
    station_name: str


#: The annotation behind each count of :class:`Incidents`.
_COUNTS = {field.name: f"n_{field.name}" for field in fields(Incidents)}


def _count_annotations(
    cases: QuerySet[Case], residents: QuerySet[Resident], *, month: Month, to: str
) -> dict:
    """Return the annotations of :data:`_COUNTS` for rows reached by ``to``.

    ``to`` is the path from a case's grid to the outer row ("" for the grid
    itself, ``"area__station"`` for its station).
    """
    case_link = "__".join(filter(None, ("grid", to)))
    resident_link = "__".join(filter(None, ("household__grid", to)))
    last = month.previous_year()
    this_month = cases.filter(reported_at__gte=month.start, reported_at__lt=month.end)
    last_year = cases.filter(reported_at__gte=last.start, reported_at__lt=last.end)
    criminal, administrative = Q(kind=Kind.CRIMINAL), Q(kind=Kind.ADMINISTRATIVE)
    counted = {
        "cases": this_month,
        "criminal": this_month.filter(criminal),
        "administrative": this_month.filter(administrative),
        "residents": residents,
        "same_month_last_year": last_year,
        "criminal_same_month_last_year": last_year.filter(criminal),
    }
    return {
        _COUNTS[name]: per_row(
            rows,
            Count("pk", distinct=True),
            link=resident_link if name == "residents" else case_link,
        )
        for name, rows in counted.items()
    }


def _counts(row: dict) -> dict:
    return {name: row[annotation] for name, annotation in _COUNTS.items()}


def incident_rates(
    cases: QuerySet[Case], grids: QuerySet[Grid], *, month: Month
) -> list[GridIncidents]:
    """Return the incident figures of each of ``grids`` in ``month`` (发案率).

    ``cases`` is the scope of cases, e.g. ``Case.objects.visible_to(user)``;
    only its cases in ``grids`` count. ``month`` runs from the first 00:00
    to the first of the next month 00:00 local time, end excluded.

    * ``cases``, ``criminal``, ``administrative``: the cases of the grid
      with ``reported_at`` in the month, all of them and by kind. A case
      belongs to the grid it was reported in, whatever its status now
      (a dropped case was still reported).
    * ``residents``: the residents now recorded in the grid's households
      (resident → household → grid). Residents have no move-in or move-out
      dates, so a past month is measured against today's population.
    * ``rate_per_10k``: ``cases / residents * 10,000``, rounded half up to
      2 decimals; None when the grid has no residents.
    * ``same_month_last_year`` and ``criminal_same_month_last_year``: the
      same counts for the same calendar month one year earlier.
    * ``yoy_change`` and ``criminal_yoy_change``: ``(this - last) / last``,
      rounded half away from zero to 4 decimals (-0.1528 is "down
      15.28 %"); None when last year's count is 0.

    One query, ordered by grid code.
    """
    rows = (
        grids.order_by("code")
        .annotate(
            **_count_annotations(cases, Resident.objects.all(), month=month, to="")
        )
        .values("pk", "code", "name", "area__station", *_COUNTS.values())
    )
    return [
        GridIncidents(
            grid=row["pk"],
            grid_code=row["code"],
            grid_name=row["name"],
            station=row["area__station"],
            **_counts(row),
        )
        for row in rows
    ]


def station_incident_rates(
    cases: QuerySet[Case], grids: QuerySet[Grid], *, month: Month
) -> list[StationIncidents]:
    """Return the figures of :func:`incident_rates` for each station.

    A station's counts are the sums over its grids among ``grids`` (so
    field staff get their own grids' part of the station), and its rate and
    changes are computed from those sums, never averaged over grids.
    Stations without any of ``grids`` are left out. One query, ordered by
    station code.
    """
    in_grids = grids.order_by().values("pk")
    rows = (
        Station.objects.filter(pk__in=grids.order_by().values("area__station"))
        .order_by("code")
        .annotate(
            **_count_annotations(
                cases.filter(grid__in=in_grids),
                Resident.objects.filter(household__grid__in=in_grids),
                month=month,
                to="area__station",
            )
        )
        .values("pk", "code", "name", *_COUNTS.values())
    )
    return [
        StationIncidents(
            station=row["pk"],
            station_code=row["code"],
            station_name=row["name"],
            **_counts(row),
        )
        for row in rows
    ]


#
# Clearance
#


@dataclass(frozen=True)
class Clearance:
    """What became of the cases reported in a month (破案率/查处率)."""

    reported: int
    by_status: dict[str, int]
    overall: Rate
    criminal: Rate
    administrative: Rate


def clearance(cases: QuerySet[Case], *, month: Month) -> Clearance:
    """Return the clearance of the ``cases`` reported in ``month``.

    * ``reported``: the cases with ``reported_at`` in the month;
      ``by_status`` the same cases by their status now (every status
      present, 0 when none).
    * ``overall``: among those cases not dropped, the share solved or
      closed now, whenever that happened (a case of November solved on
      3 December counts as solved when asked in December). A dropped case
      (不予立案/撤销) is left out: it was never a case to solve, and
      counting it as unsolved would punish closing a false report.
    * ``criminal`` and ``administrative``: the same for each kind (刑事案件
      破案率, 治安案件查处率).

    Rates have no target (``target`` and ``met`` are None). One query.
    """
    reported = Q(reported_at__gte=month.start, reported_at__lt=month.end)
    counted = reported & ~Q(status=Status.DROPPED)
    solved = counted & Q(status__in=SOLVED_STATUSES)

    def count(condition) -> Count:
        return Count("pk", distinct=True, filter=condition)

    aggregates = {"reported": count(reported)}
    for status in Status.values:
        aggregates[f"status_{status}"] = count(reported & Q(status=status))
    for name, kind in (
        ("overall", Q()),
        ("criminal", Q(kind=Kind.CRIMINAL)),
        ("administrative", Q(kind=Kind.ADMINISTRATIVE)),
    ):
        aggregates[f"{name}_counted"] = count(counted & kind)
        aggregates[f"{name}_solved"] = count(solved & kind)
    totals = cases.order_by().aggregate(**aggregates)
    return Clearance(
        reported=totals["reported"],
        by_status={status: totals[f"status_{status}"] for status in Status.values},
        **{
            name: Rate.of(totals[f"{name}_solved"], totals[f"{name}_counted"])
            for name in ("overall", "criminal", "administrative")
        },
    )


#
# Ratings
#


@dataclass(frozen=True)
class RatingsSummary:
    """The parties' ratings of the officers given in a month."""

    count: int
    mean_score: Decimal | None
    satisfied: Rate


def ratings_summary(cases: QuerySet[Case], *, month: Month) -> RatingsSummary:
    """Return the ratings of the ``cases`` created in ``month``.

    * ``count``: the ratings with ``created_at`` in the month, whenever
      their case was reported (a party rates once the case is solved).
    * ``mean_score``: their mean score, rounded half up to 2 decimals; None
      without ratings. Computed from the exact sum, not the database's
      ``AVG``, whose type and rounding differ between backends.
    * ``satisfied``: the share scoring at least 4 (satisfied or very
      satisfied), against the seeds' 90 % target.

    One query.
    """
    totals = Rating.objects.filter(
        case__in=cases.order_by().values("pk"),
        created_at__gte=month.start,
        created_at__lt=month.end,
    ).aggregate(
        count=Count("pk"),
        satisfied=Count("pk", filter=Q(score__gte=SATISFIED_SCORE)),
        score=Sum("score"),
    )
    mean = None
    if totals["count"]:
        mean = _round(Decimal(totals["score"]) / totals["count"], SCORE_PLACES)
    return RatingsSummary(
        count=totals["count"],
        mean_score=mean,
        satisfied=Rate.of(totals["satisfied"], totals["count"], target=TARGET_RATE),
    )


#
# Everything at once
#


@dataclass(frozen=True)
class CaseMetrics:
    """The case figures of a scope and a month."""

    month: Month
    grids: list[GridIncidents]
    stations: list[StationIncidents]
    total: Incidents
    clearance: Clearance
    ratings: RatingsSummary


def case_metrics(
    cases: QuerySet[Case], grids: QuerySet[Grid], *, month: Month
) -> CaseMetrics:
    """Return every case figure of ``month`` for ``cases`` in ``grids``.

    ``total`` adds up the stations' counts (the stations partition the
    grids), so it is the bureau's figure for bureau staff; its rate and
    changes come from the sums. Clearance and ratings count the cases of
    ``cases`` in ``grids``. Four queries: grids, stations, clearance and
    ratings.
    """
    stations = station_incident_rates(cases, grids, month=month)
    in_grids = cases.filter(grid__in=grids.order_by().values("pk"))
    return CaseMetrics(
        month=month,
        grids=incident_rates(cases, grids, month=month),
        stations=stations,
        total=Incidents.total(stations),
        clearance=clearance(in_grids, month=month),
        ratings=ratings_summary(in_grids, month=month),
    )
