"""Read-side metrics of dispute mediation, the "346" mechanism (seed Tongxin).

Every figure is built with SQL aggregates (conditional ``Count``, ``Sum`` and
``Exists``), so :func:`dispute_metrics` runs three queries whatever the
number of disputes, events, sessions or return visits. ``docs/metrics.md``
("Dispute mediation") states the same definitions with a worked example.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from disputes.models import (
    Colour,
    Dispute,
    DisputeEvent,
    EventKind,
    Level,
    ReturnVisit,
    Status,
)
from disputes.querysets import OPEN_STATUSES, SLA_STEPS, done_in_time
from policing.metrics import Rate
from policing.periods import local_midnight

#: The seeds' target for every rate: 90 %.
TARGET_RATE = 0.9
#: The lowest satisfaction score that counts as satisfied (4 satisfied,
#: 5 very satisfied).
SATISFIED_SCORE = 4
#: The events that end a dispute's mediation, successfully or not.
ENDING_KINDS = (EventKind.RESOLVED, EventKind.REFERRED, EventKind.FAILED)

SCORE_PLACES = Decimal("0.01")

#: The breakdowns of the disputes reported in the period: (name, choices).
BREAKDOWNS = (("colour", Colour), ("level", Level), ("status", Status))


@dataclass(frozen=True)
class DisputeCounts:
    """Disputes reported in the period, and the open and overdue ones now."""

    total: int
    by_colour: dict[str, int]
    by_level: dict[str, int]
    by_status: dict[str, int]
    open: int
    overdue: int


@dataclass(frozen=True)
class SlaCompliance:
    """The share of time-limited steps done by their due time."""

    first_contact: Rate
    mediation: Rate
    return_visit: Rate
    overall: Rate


@dataclass(frozen=True)
class Satisfaction:
    """What the parties said at the return visits of the period."""

    satisfied: Rate
    mean_score: Decimal | None


@dataclass(frozen=True)
class DisputeMetrics:
    """The dispute mediation figures of a scope and a period of local dates."""

    start: datetime.date
    end: datetime.date
    now: datetime.datetime
    counts: DisputeCounts
    success_rate: Rate
    sla_compliance: SlaCompliance
    satisfaction: Satisfaction


def dispute_metrics(
    disputes: QuerySet[Dispute],
    *,
    start: datetime.date,
    end: datetime.date,
    now: datetime.datetime | None = None,
) -> DisputeMetrics:
    """Return the mediation figures of ``disputes`` from ``start`` to ``end``.

    ``disputes`` is the scope, e.g. ``Dispute.objects.visible_to(user)``,
    maybe narrowed to a station or grid. The period runs from ``start``
    00:00 to the day after ``end`` 00:00 local time (``TIME_ZONE``), the end
    excluded, so both dates are included. ``now`` defaults to the current
    time.

    * ``counts``: the disputes reported in the period in total, by colour,
      level and status (their current values; every choice present, 0 when
      none), plus the disputes of the scope open now (reported, accepted or
      mediating) and overdue now (``Dispute.objects.overdue(now)``), whenever
      they were reported: being late is about the present, not the period.
    * ``success_rate``: among the disputes whose mediation ended in the
      period (an event resolved, referred or failed dated in it), the share
      resolved; each dispute counts once.
    * ``sla_compliance``: among the steps due in the period and not after
      ``now``, the share done by their due time: first contact (accepted by
      ``first_contact_due``), mediation (a session held by ``mediation_due``)
      and return visit (a return visit by ``return_visit_due``); ``overall``
      adds up the three. A step not due yet is left out, done or not, because
      it cannot be late yet and counting only the early ones would flatter
      the rate.
    * ``satisfaction``: among the return visits dated in the period, the
      share with a score of at least 4 (satisfied or very satisfied), and
      the mean score rounded half up to 2 decimals (None without visits).

    Every rate is rounded half up to 4 decimals and None, with ``met`` None,
    when its denominator is 0. Three queries: the disputes, the ending
    events and the return visits.
    """
    if start > end:
        raise ValueError("start must not be after end")
    now = now or timezone.now()
    begins = local_midnight(start)
    ends = local_midnight(end + datetime.timedelta(days=1))
    scope = disputes.order_by().values("pk")
    return DisputeMetrics(
        start=start,
        end=end,
        now=now,
        **_from_disputes(disputes, begins=begins, ends=ends, now=now),
        success_rate=_success_rate(scope, begins=begins, ends=ends),
        satisfaction=_satisfaction(scope, begins=begins, ends=ends),
    )


def _from_disputes(
    disputes: QuerySet[Dispute],
    *,
    begins: datetime.datetime,
    ends: datetime.datetime,
    now: datetime.datetime,
) -> dict:
    """Return the counts and the SLA compliance, in one aggregate query.

    ``Count(distinct=True)`` keeps the figures right when the scope was
    filtered through a reverse relation (which repeats dispute rows).
    """

    def count(condition) -> Count:
        return Count("pk", distinct=True, filter=condition)

    reported = Q(reported_at__gte=begins, reported_at__lt=ends)
    aggregates = {
        "total": count(reported),
        "open": count(Q(status__in=OPEN_STATUSES)),
        "overdue": count(Q(pk__in=Dispute.objects.overdue(now).values("pk"))),
    }
    for field, choices in BREAKDOWNS:
        for value in choices.values:
            aggregates[f"{field}_{value}"] = count(reported & Q(**{field: value}))
    for step, due in SLA_STEPS:
        # The cheap comparisons come first, so the EXISTS of a session or
        # visit only runs for the steps due in the window.
        window = Q(**{f"{due}__gte": begins, f"{due}__lt": ends, f"{due}__lte": now})
        aggregates[f"{step}_steps"] = count(window)
        aggregates[f"{step}_on_time"] = count(window & done_in_time(step))
    totals = disputes.order_by().aggregate(**aggregates)

    # The seeds set no target for handling on time (SPEC §2: only mediation
    # success and satisfaction have one), so these rates carry none.
    steps = {
        step: Rate.of(totals[f"{step}_on_time"], totals[f"{step}_steps"])
        for step, _due in SLA_STEPS
    }
    overall = Rate.of(
        sum(rate.numerator for rate in steps.values()),
        sum(rate.denominator for rate in steps.values()),
    )
    counts = DisputeCounts(
        total=totals["total"],
        **{
            f"by_{field}": {
                value: totals[f"{field}_{value}"] for value in choices.values
            }
            for field, choices in BREAKDOWNS
        },
        open=totals["open"],
        overdue=totals["overdue"],
    )
    return {
        "counts": counts,
        "sla_compliance": SlaCompliance(**steps, overall=overall),
    }


def _success_rate(
    scope: QuerySet, *, begins: datetime.datetime, ends: datetime.datetime
) -> Rate:
    """Return resolved ÷ ended among the disputes whose mediation ended."""
    totals = DisputeEvent.objects.filter(
        dispute__in=scope, kind__in=ENDING_KINDS, at__gte=begins, at__lt=ends
    ).aggregate(
        resolved=Count("dispute", distinct=True, filter=Q(kind=EventKind.RESOLVED)),
        ended=Count("dispute", distinct=True),
    )
    return Rate.of(totals["resolved"], totals["ended"], target=TARGET_RATE)


def _satisfaction(
    scope: QuerySet, *, begins: datetime.datetime, ends: datetime.datetime
) -> Satisfaction:
    """Return the share of satisfied parties and the mean score.

    The mean is computed from the exact sum, not the database's ``AVG``,
    whose type and rounding differ between backends.
    """
    totals = ReturnVisit.objects.filter(
        dispute__in=scope, visited_at__gte=begins, visited_at__lt=ends
    ).aggregate(
        visits=Count("pk"),
        satisfied=Count("pk", filter=Q(satisfaction__gte=SATISFIED_SCORE)),
        score=Sum("satisfaction"),
    )
    mean = None
    if totals["visits"]:
        mean = (Decimal(totals["score"]) / totals["visits"]).quantize(
            SCORE_PLACES, rounding=ROUND_HALF_UP
        )
    return Satisfaction(
        satisfied=Rate.of(totals["satisfied"], totals["visits"], target=TARGET_RATE),
        mean_score=mean,
    )
