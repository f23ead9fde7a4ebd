from django.db.models import Q
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
