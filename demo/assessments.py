"""Demo figures: the snapshots behind the trends and last month's assessment.

Taken from the demo's records like the nightly and monthly tasks would
have, so the trend charts and the monthly report have something to show.
"""

from django.utils import timezone

from assessments import assessment
from assessments.models import AssessmentRow, MonthlyAssessment
from assessments.reports import snapshots
from policing.periods import IsoWeek, Month
from stations.models import Bureau

#: Weeks of quota snapshots, as many as the demo has field work.
WEEKS = 7
#: Month-end coverage snapshots.
MONTHS = 6


def load_metrics() -> dict[str, int]:
    """Take the snapshots and store last month's assessment (idempotent)."""
    today = timezone.localdate()
    week = IsoWeek.containing(today)
    quota_rows = 0
    for _ in range(WEEKS):
        quota_rows += snapshots.take_quota_snapshots(week)
        week = week.previous()
    coverage_rows = snapshots.take_coverage_snapshots(today)
    month = Month.containing(today)
    for _ in range(MONTHS - 1):
        month = month.previous()
        coverage_rows += snapshots.take_coverage_snapshots(month.last_day)
    last_month = Month.current().previous()
    stored = MonthlyAssessment.objects.for_month(last_month).values("bureau")
    # Stored once: storing again would add audit events on every run.
    for bureau in Bureau.objects.exclude(pk__in=stored):
        assessment.store_month(bureau, last_month)
    return {
        "QuotaSnapshot": quota_rows,
        "CoverageSnapshot": coverage_rows,
        "AssessmentRow": AssessmentRow.objects.filter(
            assessment__month=last_month.first_day
        ).count(),
    }
