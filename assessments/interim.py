"""The running assessment of a month not stored yet, kept for the county page.

A stored assessment (``assessment.store_month``) exists only once a month is
over; until then the county dashboard ranks the staff on the month so far.
Computing that for a city takes seconds (docs/scaling.md), so it is kept in
one :class:`~assessments.models.InterimAssessment` row per bureau and month:
beat refreshes the current month every half hour, a bureau user can ask
for a refresh, and a page that finds no copy, or one older than
``MAX_AGE`` (beat not running), computes it once and keeps it.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.utils import timezone

from assessments.assessment import Row, compute_month
from assessments.models import INDICATORS, InterimAssessment
from policing.periods import Month
from stations.models import Bureau

#: beyond this age the copy is recomputed on the next read; beat refreshes
#: it every half hour, so this is reached only when beat is not running
MAX_AGE = datetime.timedelta(hours=1)

_DECIMALS = frozenset({*INDICATORS, "score"})


def interim_rows(
    bureau: Bureau, month: Month, *, now: datetime.datetime | None = None
) -> tuple[list[Row], datetime.datetime]:
    """Return the running rows of ``month`` and when they were computed.

    One query when a copy younger than ``MAX_AGE`` exists; otherwise the
    month is computed and kept (:func:`refresh`).
    """
    now = now or timezone.now()
    interim = (
        InterimAssessment.objects.filter(
            bureau=bureau, month=month.first_day, computed_at__gt=now - MAX_AGE
        )
        .only("computed_at", "rows")
        .first()
    )
    if interim is None:
        interim = refresh(bureau, month, now=now)
    return [_row(data) for data in interim.rows], interim.computed_at


def refresh(
    bureau: Bureau, month: Month, *, now: datetime.datetime | None = None
) -> InterimAssessment:
    """Compute ``month`` for ``bureau`` and keep it, replacing the earlier copy.

    Idempotent; two refreshes at once leave one row, the later one's.
    """
    now = now or timezone.now()
    rows = compute_month(bureau, month, now=now)
    interim, _created = InterimAssessment.objects.update_or_create(
        bureau=bureau,
        month=month.first_day,
        defaults={"computed_at": now, "rows": [_data(row) for row in rows]},
    )
    return interim


def _data(row: Row) -> dict:
    data = dataclasses.asdict(row)
    for name in _DECIMALS:
        if data[name] is not None:
            data[name] = str(data[name])
    return data


def _row(data: dict) -> Row:
    values = dict(data)
    for name in _DECIMALS:
        if values[name] is not None:
            values[name] = Decimal(values[name])
    return Row(**values)
