"""The county bureau's monthly report: one section per station and a summary.

What goes in (SPEC §3; docs/metrics.md, "Monthly report"):

* coverage on the month's last day (today for the running month);
* weekly quota completion over the weeks of the month, an ISO week
  belonging to the month its Thursday falls in (the ISO rule, so every
  week is in exactly one month);
* the monthly assessment, stored rows when the month was computed or
  published, otherwise computed for the report;
* disputes reported in the month by colour, the mediation success rate and
  what is open and overdue at the time of the report;
* cases reported in the month, the incident rate per 10,000 residents and
  its year-on-year change, and clearance;
* trends from the nightly snapshots: the last week's quota completion
  against the week before, and month-end coverage against the month before.

Every figure comes from the metric functions the API and pages use, so the
report agrees with them. :func:`monthly_report` builds the data; the xlsx
and PDF renderers in ``assessments.reports.files`` lay it out. Its number of
queries grows with the number of stations and weeks, never with the records.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone

from assessments import assessment, metrics
from assessments.models import (
    AssessmentRow,
    CoverageSnapshot,
    MonthlyAssessment,
    QuotaSnapshot,
)
from assessments.reports import snapshots
from cases import metrics as case_metrics
from cases.models import Case
from disputes import metrics as dispute_metrics
from disputes.models import Dispute
from grids.metrics import Coverage, coverage_by_station
from grids.metrics import coverage as bureau_coverage
from grids.models import Grid
from policing.periods import IsoWeek, Month
from stations.models import Bureau, Station

#: ``status`` of a month whose assessment is neither computed nor published.
LIVE = "live"
COMPLETION = Decimal("0.0001")

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PersonQuotas:
    """A person's weekly quota completion over the weeks of the month."""

    person: int
    person_name: str
    completions: list[float | None]  # one per week, None when not tracked
    weeks_met: int
    weeks_tracked: int
    completion: float | None  # mean over the tracked weeks


@dataclass(frozen=True)
class Section:
    """The figures of one station, or of the whole bureau for the summary."""

    station: int | None
    code: str
    name: str
    coverage: Coverage
    quotas: list[PersonQuotas]
    quota_completion: float | None
    weeks_met: int
    weeks_tracked: int
    assessment: list[assessment.Row]
    assessment_average: Decimal | None
    disputes: dispute_metrics.DisputeMetrics
    incidents: case_metrics.Incidents
    clearance: case_metrics.Clearance
    trends: snapshots.Trends


@dataclass(frozen=True)
class MonthlyReport:
    bureau: int
    bureau_name: str
    month: Month
    generated_at: datetime.datetime
    assessment_status: str
    weeks: list[str]
    summary: Section
    stations: list[Section]


def weeks_of(month: Month) -> list[IsoWeek]:
    """Return the ISO weeks whose Thursday falls in ``month``."""
    thursday = month.first_day + datetime.timedelta(
        days=(3 - month.first_day.weekday()) % 7
    )
    weeks = []
    while thursday <= month.last_day:
        weeks.append(IsoWeek.containing(thursday))
        thursday += datetime.timedelta(days=7)
    return weeks


def monthly_report(
    bureau: Bureau,
    month: Month,
    *,
    now: datetime.datetime | None = None,
    progress: Progress | None = None,
) -> MonthlyReport:
    """Return the monthly report of ``bureau`` for ``month``.

    ``progress(done, total)`` is called as the work advances (the download
    page's progress bar): once per week of quotas, once per station.
    """
    now = now or timezone.now()
    progress = progress or (lambda done, total: None)
    stations = list(Station.objects.filter(bureau=bureau).order_by("code", "pk"))
    weeks = [week for week in weeks_of(month) if week.start < now]
    total = len(weeks) + len(stations) + 2
    done = 0

    on = min(month.last_day, timezone.localdate(now))
    coverage = coverage_by_station(Station.objects.filter(bureau=bureau), on=on)

    quota_rows = defaultdict(lambda: defaultdict(dict))  # station -> person -> week
    names = {}
    for week in weeks:
        persons = snapshots.quota_persons(week).filter(bureau=bureau)
        station_of = dict(persons.values_list("pk", "station"))
        for row in metrics.weekly_quotas(week=week, persons=persons):
            quota_rows[station_of[row.person]][row.person][week] = row
            names[row.person] = row.person_name
        done += 1
        progress(done, total)

    assessment_rows, status = assessment_of_month(bureau, month, now=now)
    done += 1
    progress(done, total)

    cases = Case.objects.filter(grid__area__station__bureau=bureau)
    grids = Grid.objects.filter(area__station__bureau=bureau)
    incidents = {
        row.station: row
        for row in case_metrics.station_incident_rates(cases, grids, month=month)
    }
    disputes = Dispute.objects.filter(grid__area__station__bureau=bureau)
    quota_snapshots = QuotaSnapshot.objects.filter(bureau=bureau)
    coverage_snapshots = CoverageSnapshot.objects.filter(station__bureau=bureau)
    until = min(month.last_day, timezone.localdate(now))

    def section(station: Station | None, **figures) -> Section:
        in_station = {} if station is None else {"grid__area__station": station}
        snapshot_scope = {} if station is None else {"station": station}
        quotas = figures.pop("quotas")
        tracked = sum(person.weeks_tracked for person in quotas)
        return Section(
            station=None if station is None else station.pk,
            quotas=quotas,
            quota_completion=_mean(
                [c for person in quotas for c in person.completions if c is not None]
            ),
            weeks_met=sum(person.weeks_met for person in quotas),
            weeks_tracked=tracked,
            disputes=dispute_metrics.dispute_metrics(
                disputes.filter(**in_station),
                start=month.first_day,
                end=month.last_day,
                now=now,
            ),
            clearance=case_metrics.clearance(cases.filter(**in_station), month=month),
            trends=snapshots.trends(
                quota_snapshots=quota_snapshots.filter(**snapshot_scope),
                coverage_snapshots=coverage_snapshots.filter(**snapshot_scope),
                until=until,
                weeks=2,
                months=2,
            ),
            **figures,
        )

    sections = []
    for station in stations:
        rows = [row for row in assessment_rows if row.station == station.pk]
        sections.append(
            section(
                station,
                code=station.code,
                name=station.name,
                coverage=coverage[station.pk],
                quotas=_person_quotas(quota_rows[station.pk], weeks, names),
                assessment=rows,
                assessment_average=_average_score(rows),
                incidents=incidents.get(station.pk) or case_metrics.Incidents.total([]),
            )
        )
        done += 1
        progress(done, total)

    summary = section(
        None,
        code=bureau.code,
        name=bureau.name,
        coverage=bureau_coverage(stations=Station.objects.filter(bureau=bureau), on=on),
        quotas=[person for s in sections for person in s.quotas],
        assessment=assessment_rows,
        assessment_average=_average_score(assessment_rows),
        incidents=case_metrics.Incidents.total(list(incidents.values())),
    )
    progress(total, total)
    return MonthlyReport(
        bureau=bureau.pk,
        bureau_name=bureau.name,
        month=month,
        generated_at=now,
        assessment_status=status,
        weeks=[str(week) for week in weeks],
        summary=summary,
        stations=sections,
    )


def assessment_of_month(
    bureau: Bureau, month: Month, *, now: datetime.datetime
) -> tuple[list[assessment.Row], str]:
    """Return the month's rows and status: stored if computed, else live."""
    stored = MonthlyAssessment.objects.for_month(month).filter(bureau=bureau).first()
    if stored is not None:
        rows = AssessmentRow.objects.filter(assessment=stored)
        return assessment.stored_rows(rows), stored.status
    return assessment.compute_month(bureau, month, now=now), LIVE


def _person_quotas(
    rows: dict[int, dict], weeks: list[IsoWeek], names: dict[int, str]
) -> list[PersonQuotas]:
    result = []
    for person, by_week in rows.items():
        completions = [
            by_week[week].completion if week in by_week else None for week in weeks
        ]
        result.append(
            PersonQuotas(
                person=person,
                person_name=names[person],
                completions=completions,
                weeks_met=sum(row.met for row in by_week.values()),
                weeks_tracked=len(by_week),
                completion=_mean([c for c in completions if c is not None]),
            )
        )
    return sorted(result, key=lambda row: (row.person_name, row.person))


def _mean(values: list[float]) -> float | None:
    if not values:
        return None
    mean = sum(Decimal(str(value)) for value in values) / len(values)
    return float(mean.quantize(COMPLETION, rounding=ROUND_HALF_UP))


def _average_score(rows: list[assessment.Row]) -> Decimal | None:
    scores = [row.score for row in rows if row.score is not None]
    if not scores:
        return None
    return (sum(scores) / len(scores)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
