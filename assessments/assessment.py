"""The monthly assessment of field staff (SPEC §3, seed Hengshan).

Six indicators, each 0-100 with 2 decimals, for a person P in a calendar
month M (local time): visibility 见警率, familiarity 熟悉率, incident rate
发案率, information collection 信息采集率, effectiveness 实效率 and
satisfaction 满意率. The score is their weighted sum with the bureau's
weights (:class:`~assessments.models.AssessmentPolicy`), and persons are
ranked within their station and their bureau. ``docs/metrics.md``
("Monthly assessment") states every definition with a worked example.

:func:`compute_month` builds every figure with SQL aggregates, in six
queries whatever the number of persons, visits, patrols, cases or disputes;
:func:`store_month` keeps the result, and :func:`publish_month` freezes it.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    DurationField,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import (
    INDICATORS,
    AssessmentPolicy,
    AssessmentRow,
    AssessmentStatus,
    InterimAssessment,
    MonthlyAssessment,
    QuotaPolicy,
)
from cases.metrics import per_10k
from cases.models import Case, CaseEvent, Rating
from disputes.models import DisputeEvent, ReturnVisit
from grids.models import Grid, Household, Resident
from policing.periods import Month, local_midnight
from policing.querysets import per_row
from stations.models import Assignment, Bureau, Person
from visits.models import Patrol, Visit

#: Familiarity looks at the visits of the 90 days ending with the month: a
#: household visited last quarter is still known (seed Qujing: key persons
#: are reviewed quarterly, "季考核").
FAMILIARITY_DAYS = 90
#: The lowest score that counts as satisfied (4 satisfied, 5 very satisfied),
#: as in the dispute and case metrics.
SATISFIED_SCORE = 4
#: Dispute events that end a mediation, successfully or not.
DISPUTE_ENDINGS = (
    DisputeEvent.Kind.RESOLVED,
    DisputeEvent.Kind.REFERRED,
    DisputeEvent.Kind.FAILED,
)
#: Case events that conclude a case, solved or not.
CASE_CONCLUSIONS = (CaseEvent.Kind.SOLVED, CaseEvent.Kind.DROPPED)

PLACES = Decimal("0.01")
HUNDRED = Fraction(100)
_DAYS_PER_WEEK = 7
_MICROSECONDS_PER_HOUR = 3_600 * 1_000_000

MONTH_NOT_STARTED = _("{month} has not started yet.")
MONTH_NOT_OVER = _("{month} is not over yet: a month is assessed once it has ended.")
MONTH_PUBLISHED = _(
    "The assessment of {month} is published and can no longer be recomputed."
)
MONTH_NOT_COMPUTED = _("The assessment of {month} has not been computed yet.")
MONTH_ALREADY_PUBLISHED = _("The assessment of {month} is already published.")

#: The codes of the errors above that are about the stored assessment's
#: state rather than the input (the API answers them with 409).
STATE_ERRORS = frozenset({"published", "not_computed"})


@dataclass(frozen=True)
class Row:
    """One person's indicators, score and ranks in a month.

    An indicator is None when the person has no data for it; the score is
    None only when every indicator with a weight is None.
    """

    person: int
    person_name: str
    station: int
    visibility: Decimal | None
    familiarity: Decimal | None
    incident_rate: Decimal | None
    information: Decimal | None
    effectiveness: Decimal | None
    satisfaction: Decimal | None
    score: Decimal | None
    rank_in_station: int | None
    rank_in_bureau: int | None


#
# Computing
#


def assessed_persons(bureau: Bureau, month: Month) -> QuerySet[Person]:
    """Return the persons assessed for ``month``: the bureau's field staff.

    Field staff are the persons of a station who are not its chief (bureau
    staff and chiefs are not assessed), with an assignment to a grid
    (responsible or assistant) valid on at least one day of the month. An
    assignment to a post alone does not make a person assessed: a post
    serves many grids, and the indicators hold a person to account for the
    grids in their charge ("定格、定人、定责", seed Qujing).
    """
    return Person.objects.filter(
        Exists(_grid_assignments(month).filter(person=OuterRef("pk"))),
        bureau=bureau,
        station__isnull=False,
        is_chief=False,
    )


def compute_month(
    bureau: Bureau, month: Month, *, now: datetime.datetime | None = None
) -> list[Row]:
    """Return the assessment row of every person assessed in ``month``.

    ``month`` runs from the first 00:00 to the first of the next month
    00:00 local time, end excluded. "P's grids" are the grids P held an
    assignment to (responsible or assistant) on at least one day of the
    month; figures about the grids use the grids' data whoever recorded it.

    * ``visibility`` (见警率): P's patrol hours in the month, each patrol
      clipped to the month (a running one up to ``now``), against the
      bureau's weekly patrol target * days in month / 7; capped at 100.
    * ``familiarity`` (熟悉率): the share of the households now in P's grids
      that P visited at least once in the 90 days ending with the month.
      None when P's grids have no households.
    * ``incident_rate`` (发案率, lower is better): the cases reported in the
      month in P's grids per 10,000 residents now recorded there (rounded
      to 2 decimals, as ``cases.metrics.per_10k``), scored 100 at or below
      the bureau's target, 0 at or above twice the target and linearly in
      between. None when P's grids have no residents.
    * ``information`` (信息采集率): the sum of ``info_items`` of P's visits in
      the month against the weekly information target * days / 7; capped
      at 100.
    * ``effectiveness`` (实效率): among the disputes of P's grids whose
      mediation ended in the month (resolved, referred or failed) and the
      cases of P's grids concluded in the month (solved or dropped), the
      share resolved or solved. None when nothing ended.
    * ``satisfaction`` (满意率): among the ratings of P by case parties given
      in the month and the return visits of disputes of P's grids made in
      the month, the share with a score of 4 or 5. None without any.

    Each indicator is rounded half up to 2 decimals. The score is the sum
    of weight * indicator over the indicators that are not None, divided by
    the sum of their weights, rounded half up to 2 decimals: a missing
    indicator neither helps nor hurts, its weight is spread over the
    others. Ranks are competition ranks ("1224") by score, highest first,
    within the station and within the bureau; a person without a score has
    no rank. Rows are ordered by rank in the bureau, then name (code point
    order) and id.

    Six queries: four for the aggregates (:func:`_totals`), the quota
    policy and the assessment policy.
    """
    return _compute(bureau, month, now=now or timezone.now())[0]


def _compute(
    bureau: Bureau, month: Month, *, now: datetime.datetime
) -> tuple[list[Row], dict]:
    """Return the rows of ``month`` and the parameters they were computed with."""
    totals = _totals(bureau, month, now=now)
    targets = QuotaPolicy.targets_by_bureau([bureau.pk])[bureau.pk]
    policy = AssessmentPolicy.for_bureau(bureau.pk)
    weights = policy.weights()
    # The weekly pace over the month's days: October expects 28 * 31 / 7 h.
    weeks = Fraction(month_days(month), _DAYS_PER_WEEK)
    expected_hours = Fraction(targets["patrol_hours"]) * weeks
    expected_items = Fraction(targets["info_items"]) * weeks
    rows = []
    for total in totals:
        indicators = {
            "visibility": _against_target(
                _hours(total["n_patrol_time"]), expected_hours
            ),
            "familiarity": _share(total["n_households_visited"], total["n_households"]),
            "incident_rate": incident_score(
                per_10k(total["n_cases"], total["n_residents"]),
                target=policy.incident_target_per_10k,
            ),
            "information": _against_target(total["n_info_items"], expected_items),
            "effectiveness": _share(
                total["n_disputes_resolved"] + total["n_cases_solved"],
                total["n_disputes_ended"] + total["n_cases_concluded"],
            ),
            "satisfaction": _share(
                total["n_ratings_satisfied"] + total["n_return_visits_satisfied"],
                total["n_ratings"] + total["n_return_visits"],
            ),
        }
        rows.append(
            {
                "person": total["pk"],
                "person_name": total["name"],
                "station": total["station_id"],
                **indicators,
                "score": weighted_score(indicators, weights),
            }
        )
    parameters = {
        "weights": weights,
        "incident_target_per_10k": str(policy.incident_target_per_10k),
        "patrol_hours_per_week": str(targets["patrol_hours"]),
        "info_items_per_week": targets["info_items"],
        "familiarity_days": FAMILIARITY_DAYS,
    }
    return ranked(rows), parameters


def month_days(month: Month) -> int:
    """Return the number of days of ``month`` (28 to 31)."""
    return month.last_day.day


#: The aggregates of a person's own work, by annotation name.
PERSON_AGGREGATES = (
    "n_patrol_time",
    "n_info_items",
    "n_ratings",
    "n_ratings_satisfied",
)
#: The aggregates of a grid's data; a person's are the sums over their grids.
GRID_AGGREGATES = (
    "n_households",
    "n_cases",
    "n_residents",
    "n_disputes_ended",
    "n_disputes_resolved",
    "n_cases_concluded",
    "n_cases_solved",
    "n_return_visits",
    "n_return_visits_satisfied",
)


def _totals(bureau: Bureau, month: Month, *, now: datetime.datetime) -> list[dict]:
    """Return each assessed person with the aggregates of their month.

    Four queries: the persons with the aggregates of their own work, the
    (person, grid) pairs of the month's grid assignments, the grids with
    the aggregates of their data, and the households each person visited in
    their grids. A grid's figures are computed once, however many persons
    share the grid, and summed per person: every household, resident, case
    and dispute lies in exactly one grid, so the sum over a person's
    distinct grids is the count over the union of those grids.
    """
    totals = list(
        assessed_persons(bureau, month)
        .annotate(**_person_aggregates(month, now=now))
        .order_by()
        .values("pk", "name", "station_id", *PERSON_AGGREGATES)
    )
    person_ids = [total["pk"] for total in totals]
    pairs = set(
        _grid_assignments(month)
        .filter(person__in=person_ids)
        .values_list("person", "grid")
    )
    grids = {
        figures.pop("pk"): figures
        for figures in Grid.objects.filter(pk__in={grid for _person, grid in pairs})
        .annotate(**_grid_aggregates(month))
        .order_by()
        .values("pk", *GRID_AGGREGATES)
    }
    visited = dict(_households_visited(month, person_ids))
    for total in totals:
        total.update(dict.fromkeys(GRID_AGGREGATES, 0))
        total["n_households_visited"] = visited.get(total["pk"], 0)
    by_person = {total["pk"]: total for total in totals}
    for person, grid in pairs:
        total = by_person[person]
        for name in GRID_AGGREGATES:
            total[name] += grids[grid][name]
    return totals


def _households_visited(month: Month, person_ids: list[int]) -> QuerySet:
    """Return (person, households visited) for the familiarity indicator.

    The distinct households each person visited in the 90 days ending with
    the month that lie in a grid the person held in the month. One grouped
    query over the period's visits rather than a subquery per person: per
    person, PostgreSQL walked the person's grids' households and their
    visits, thousands of index probes each (docs/scaling.md).
    """
    known_since = local_midnight(
        month.next().first_day - datetime.timedelta(days=FAMILIARITY_DAYS)
    )
    in_own_grid = _grid_assignments(month).filter(
        person=OuterRef("person"), grid=OuterRef("household__grid")
    )
    return (
        Visit.objects.filter(
            Exists(in_own_grid),
            person__in=person_ids,
            visited_at__gte=known_since,
            visited_at__lt=month.end,
        )
        .order_by()
        .values("person")
        .annotate(households=Count("household", distinct=True))
        .values_list("person", "households")
    )


def _person_aggregates(month: Month, *, now: datetime.datetime) -> dict:
    """Return the correlated aggregate subqueries of each person's own work.

    ``OuterRef("pk")`` is the person.
    """
    person = OuterRef("pk")
    during = _during(month)
    return {
        "n_patrol_time": per_row(
            Patrol.objects.clipped_to(month.start, month.end, now=now).filter(
                person=person
            ),
            Patrol.objects.clipped_time(),
            output_field=DurationField(),
            default=datetime.timedelta(0),
        ),
        "n_info_items": per_row(
            Visit.objects.filter(during("visited_at"), person=person),
            Sum("info_items"),
        ),
        "n_ratings": per_row(
            Rating.objects.filter(during("created_at"), officer=person),
            Count("pk", distinct=True),
        ),
        "n_ratings_satisfied": per_row(
            Rating.objects.filter(
                during("created_at"), officer=person, score__gte=SATISFIED_SCORE
            ),
            Count("pk", distinct=True),
        ),
    }


def _grid_aggregates(month: Month) -> dict:
    """Return the correlated aggregate subqueries of each grid's data.

    ``OuterRef("pk")`` is the grid.
    """
    grid = OuterRef("pk")
    during = _during(month)

    def count(rows: QuerySet, field: str = "pk") -> Coalesce:
        # DISTINCT: a dispute or case counts once however many of its events
        # match (a dispute resolved twice).
        return per_row(rows, Count(field, distinct=True))

    return {
        "n_households": count(Household.objects.filter(grid=grid)),
        "n_cases": count(Case.objects.filter(during("reported_at"), grid=grid)),
        "n_residents": count(Resident.objects.filter(household__grid=grid)),
        "n_disputes_ended": count(
            DisputeEvent.objects.filter(
                during("at"), dispute__grid=grid, kind__in=DISPUTE_ENDINGS
            ),
            "dispute",
        ),
        "n_disputes_resolved": count(
            DisputeEvent.objects.filter(
                during("at"), dispute__grid=grid, kind=DisputeEvent.Kind.RESOLVED
            ),
            "dispute",
        ),
        "n_cases_concluded": count(
            CaseEvent.objects.filter(
                during("at"), case__grid=grid, kind__in=CASE_CONCLUSIONS
            ),
            "case",
        ),
        "n_cases_solved": count(
            CaseEvent.objects.filter(
                during("at"), case__grid=grid, kind=CaseEvent.Kind.SOLVED
            ),
            "case",
        ),
        "n_return_visits": count(
            ReturnVisit.objects.filter(during("visited_at"), dispute__grid=grid)
        ),
        "n_return_visits_satisfied": count(
            ReturnVisit.objects.filter(
                during("visited_at"),
                dispute__grid=grid,
                satisfaction__gte=SATISFIED_SCORE,
            )
        ),
    }


def _during(month: Month):
    def during(field: str) -> Q:
        return Q(**{f"{field}__gte": month.start, f"{field}__lt": month.end})

    return during


def _grid_assignments(month: Month) -> QuerySet[Assignment]:
    """Return the grid assignments valid on at least one day of ``month``."""
    return Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=month.first_day),
        grid__isnull=False,
        start__lte=month.last_day,
    )


#
# From figures to indicators, score and ranks
#


def _round(value: Fraction) -> Decimal:
    """Return ``value`` rounded half up to 2 decimals."""
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(PLACES, rounding=ROUND_HALF_UP)


def _hours(duration: datetime.timedelta) -> Fraction:
    """Return ``duration`` in hours, exactly."""
    microseconds = duration // datetime.timedelta(microseconds=1)
    return Fraction(microseconds, _MICROSECONDS_PER_HOUR)


def _share(numerator: int, denominator: int) -> Decimal | None:
    """Return ``numerator / denominator`` in percent; None when it is 0 / 0."""
    if not denominator:
        return None
    return _round(HUNDRED * numerator / denominator)


def _against_target(actual: Fraction | int, expected: Fraction) -> Decimal:
    """Return ``actual / expected`` in percent, capped at 100.

    A target of 0 (the quota policy's validators forbid it, the column
    does not) is met by any figure, as for the weekly quota.
    """
    if not expected:
        return Decimal(100).quantize(PLACES)
    return _round(min(HUNDRED * Fraction(actual) / expected, HUNDRED))


def incident_score(rate: Decimal | None, *, target: Decimal) -> Decimal | None:
    """Return the incident indicator of a rate per 10,000 residents.

    100 at or below ``target``, 0 at or above twice the target, and
    ``100 * (2 * target - rate) / target`` in between; None without a rate
    (no residents).
    """
    if rate is None:
        return None
    rate, target = Fraction(rate), Fraction(target)
    return _round(min(max(HUNDRED * (2 * target - rate) / target, 0), HUNDRED))


def weighted_score(
    indicators: dict[str, Decimal | None], weights: dict[str, int]
) -> Decimal | None:
    """Return the weighted mean of the indicators that are not None.

    ``sum(weight * indicator) / sum(weight)`` over those indicators: with
    all six present this is the weighted sum of SPEC §3 (the weights add up
    to 100, so it is divided by 100); without some, their weights are
    spread over the others in proportion. None when the indicators present
    all have weight 0.
    """
    present = [name for name in INDICATORS if indicators[name] is not None]
    total = sum(weights[name] for name in present)
    if not total:
        return None
    weighted = sum(weights[name] * Fraction(indicators[name]) for name in present)
    return _round(weighted / total)


def competition_ranks(scores: dict[int, Decimal | None]) -> dict[int, int | None]:
    """Return the competition rank ("1224") of each key by score, highest first.

    Equal scores share the best rank of the tie, and the next score's rank
    counts every person ahead: 90, 85, 85, 80 rank 1, 2, 2, 4. A score of
    None has no rank.
    """
    first_position = {}
    ordered = sorted((s for s in scores.values() if s is not None), reverse=True)
    for position, score in enumerate(ordered, start=1):
        first_position.setdefault(score, position)
    return {key: first_position.get(score) for key, score in scores.items()}


def ranked(rows: list[dict]) -> list[Row]:
    """Return ``rows`` with their ranks in the station and in the bureau."""
    in_bureau = competition_ranks({row["person"]: row["score"] for row in rows})
    in_station = {}
    for station in {row["station"] for row in rows}:
        in_station |= competition_ranks(
            {row["person"]: row["score"] for row in rows if row["station"] == station}
        )
    result = [
        Row(
            **row,
            rank_in_station=in_station[row["person"]],
            rank_in_bureau=in_bureau[row["person"]],
        )
        for row in rows
    ]
    return sorted(result, key=row_order)


def row_order(row) -> tuple:
    """Sort by rank in the bureau (unranked last), then name and id.

    Names are compared in Python, in code point order, because database
    collations differ.
    """
    rank = row.rank_in_bureau
    return (rank is None, rank or 0, row.person_name, row.person)


#
# Storing and publishing
#


def stored_rows(rows: QuerySet[AssessmentRow]) -> list[Row]:
    """Return stored assessment rows as :class:`Row`, in the order of ranks."""
    result = [
        Row(
            person=row.person_id,
            person_name=row.person.name,
            station=row.station_id,
            **{name: getattr(row, name) for name in INDICATORS},
            score=row.score,
            rank_in_station=row.rank_in_station,
            rank_in_bureau=row.rank_in_bureau,
        )
        for row in rows.select_related("person")
    ]
    return sorted(result, key=row_order)


def check_storable(
    bureau: Bureau, month: Month, *, now: datetime.datetime | None = None
) -> None:
    """Raise ValidationError unless ``month`` may be computed and stored now.

    A month is stored once it is over, so that a stored figure is final
    (a running month can still be looked at live); a published month is
    frozen and never recomputed.
    """
    now = now or timezone.now()
    if month.end > now:
        raise ValidationError(
            {"month": ValidationError(MONTH_NOT_OVER.format(month=month), code="open")}
        )
    published = MonthlyAssessment.objects.for_month(month).filter(
        bureau=bureau, status=AssessmentStatus.PUBLISHED
    )
    if published.exists():
        raise ValidationError(
            {
                "month": ValidationError(
                    MONTH_PUBLISHED.format(month=month), code="published"
                )
            }
        )


@transaction.atomic
def store_month(
    bureau: Bureau, month: Month, *, now: datetime.datetime | None = None
) -> MonthlyAssessment:
    """Compute ``month`` for ``bureau`` and store it, replacing earlier rows.

    Idempotent: storing the same month again replaces its rows in one
    transaction, so there is never more than one row per person and month
    (ids change, the content only if the data did). Raise ValidationError
    (see :func:`check_storable`) for a month not over yet or published.
    The bureau row is locked first, so two runs for the same bureau (the
    monthly beat and a manual recompute) take turns.
    """
    now = now or timezone.now()
    Bureau.objects.select_for_update().only("pk").get(pk=bureau.pk)
    check_storable(bureau, month, now=now)
    rows, parameters = _compute(bureau, month, now=now)
    assessment, created = MonthlyAssessment.objects.get_or_create(
        bureau=bureau,
        month=month.first_day,
        defaults={"computed_at": now, "parameters": parameters},
    )
    if not created:
        assessment.computed_at = now
        assessment.parameters = parameters
        assessment.save(update_fields=["computed_at", "parameters"])
        assessment.rows.all().delete()
    AssessmentRow.objects.bulk_create(
        AssessmentRow(
            assessment=assessment,
            person_id=row.person,
            station_id=row.station,
            **{name: getattr(row, name) for name in INDICATORS},
            score=row.score,
            rank_in_station=row.rank_in_station,
            rank_in_bureau=row.rank_in_bureau,
        )
        for row in rows
    )
    # The running copy the county page showed until now is superseded.
    InterimAssessment.objects.filter(bureau=bureau, month=month.first_day).delete()
    return assessment


@transaction.atomic
def publish_month(
    bureau: Bureau,
    month: Month,
    *,
    by: Person | None,
    now: datetime.datetime | None = None,
) -> MonthlyAssessment:
    """Publish the stored assessment of ``month``: it is frozen from now on.

    Raise ValidationError when the month has not been stored yet or is
    already published (publishing again would rewrite who published it and
    when).
    """
    Bureau.objects.select_for_update().only("pk").get(pk=bureau.pk)
    assessment = (
        MonthlyAssessment.objects.for_month(month).filter(bureau=bureau).first()
    )
    if assessment is None:
        raise ValidationError(
            {
                "month": ValidationError(
                    MONTH_NOT_COMPUTED.format(month=month), code="not_computed"
                )
            }
        )
    if assessment.is_published:
        raise ValidationError(
            {
                "month": ValidationError(
                    MONTH_ALREADY_PUBLISHED.format(month=month), code="published"
                )
            }
        )
    assessment.status = AssessmentStatus.PUBLISHED
    assessment.published_at = now or timezone.now()
    assessment.published_by = by
    assessment.save(update_fields=["status", "published_at", "published_by"])
    return assessment
