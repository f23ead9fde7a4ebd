import datetime

from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least
from django.utils import timezone

from policing.periods import IsoWeek
from policing.querysets import ScopedQuerySet
from policing.scope import Role

FIELD_WORK_WRITERS = frozenset({Role.BUREAU, Role.CHIEF, Role.FIELD})


class FieldWorkQuerySet(ScopedQuerySet):
    """Visits, patrols, inspections and services: grid data, written by all."""

    bureau_field = "grid__area__station__bureau"
    station_field = "grid__area__station"
    grid_field = "grid"
    writers = FIELD_WORK_WRITERS

    #: the model's timestamp (visited_at, started_at ...)
    time_field = ""

    def in_week(self, week: IsoWeek):
        """Return rows whose timestamp falls in ``week`` (local time)."""
        return self.filter(
            **{
                f"{self.time_field}__gte": week.start,
                f"{self.time_field}__lt": week.end,
            }
        )


class VisitQuerySet(FieldWorkQuerySet):
    time_field = "visited_at"


class PatrolQuerySet(FieldWorkQuerySet):
    time_field = "started_at"

    def in_week(self, week: IsoWeek):
        """Return patrols overlapping ``week``, including one running in it.

        A running patrol has no end yet: it overlaps the weeks from its start
        up to now, not later ones.
        """
        overlaps = Q(ended_at__gt=week.start)
        if week.start <= timezone.now():
            overlaps |= Q(ended_at__isnull=True)
        return self.filter(overlaps, started_at__lt=week.end)

    def running(self):
        return self.filter(ended_at__isnull=True)

    def clipped_to(
        self, start: datetime.datetime, end: datetime.datetime, *, now
    ) -> "PatrolQuerySet":
        """Return the patrols overlapping [start, end) with their part inside it.

        ``clipped_start``/``clipped_end`` (aliases) bound that part, a
        running patrol ending ``now``; :meth:`clipped_time` sums it.
        ``ended_at`` goes through ``Coalesce`` first because
        ``Greatest``/``Least`` return NULL for a NULL argument on SQLite but
        skip it on PostgreSQL. A running patrol seen before the period
        starts has an empty part and is left out. The ``ended_at`` bound
        follows from the clipping; stated, it lets PostgreSQL read each
        person's patrols off the (person, ended_at) index instead of their
        whole history.
        """
        return (
            self.filter(
                Q(ended_at__gt=start) | Q(ended_at__isnull=True), started_at__lt=end
            )
            .alias(
                clipped_start=Greatest(
                    "started_at", Value(start, output_field=DateTimeField())
                ),
                clipped_end=Least(
                    Coalesce("ended_at", Value(now, output_field=DateTimeField())),
                    Value(end, output_field=DateTimeField()),
                ),
            )
            .filter(clipped_end__gt=F("clipped_start"))
        )

    @staticmethod
    def clipped_time() -> Sum:
        """The total time of :meth:`clipped_to`'s parts, an aggregate."""
        return Sum(
            ExpressionWrapper(
                F("clipped_end") - F("clipped_start"), output_field=DurationField()
            )
        )


class InspectionQuerySet(FieldWorkQuerySet):
    bureau_field = "venue__grid__area__station__bureau"
    station_field = "venue__grid__area__station"
    grid_field = "venue__grid"
    time_field = "inspected_at"


class ServiceQuerySet(FieldWorkQuerySet):
    time_field = "served_at"


class VenueQuerySet(ScopedQuerySet):
    bureau_field = "grid__area__station__bureau"
    station_field = "grid__area__station"
    grid_field = "grid"
    writers = FIELD_WORK_WRITERS
