import datetime

from django.db.models import Q
from django.utils import timezone

from policing.querysets import ScopedQuerySet
from policing.scope import Role


class BureauQuerySet(ScopedQuerySet):
    bureau_field = "pk"
    reference_data = True
    writers = frozenset()  # bureaus are created and renamed by superusers only


class StationQuerySet(ScopedQuerySet):
    bureau_field = "bureau"
    station_field = "pk"
    reference_data = True
    writers = frozenset({Role.BUREAU})


class PostQuerySet(ScopedQuerySet):
    bureau_field = "station__bureau"
    station_field = "station"
    reference_data = True


class PersonQuerySet(ScopedQuerySet):
    bureau_field = "bureau"
    station_field = "station"
    reference_data = True

    def officers(self):
        return self.filter(kind=self.model.Kind.OFFICER)


class AssignmentQuerySet(ScopedQuerySet):
    bureau_field = "person__bureau"
    station_field = "person__station"
    reference_data = True

    def current(self, *, on: datetime.date | None = None):
        """Return assignments valid on ``on`` (default: today, local time).

        ``start`` and ``end`` are both inclusive; an open ``end`` means the
        assignment still runs.
        """
        on = on or timezone.localdate()
        return self.filter(Q(end__isnull=True) | Q(end__gte=on), start__lte=on)
