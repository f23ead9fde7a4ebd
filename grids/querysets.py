import datetime

from django.db.models import Q

from policing.querysets import ScopedQuerySet
from stations.scoping import Role


class AreaQuerySet(ScopedQuerySet):
    bureau_field = "station__bureau"
    station_field = "station"
    reference_data = True


class GridQuerySet(ScopedQuerySet):
    bureau_field = "area__station__bureau"
    station_field = "area__station"
    grid_field = "pk"
    reference_data = True

    def assigned_to(self, person, *, on: datetime.date | None = None):
        """Return the grids ``person`` works in on ``on`` (default today).

        That is the grids the person is assigned to, plus the grids of the
        areas served by a post the person is assigned to.
        """
        from stations.models import Assignment

        current = Assignment.objects.current(on=on).filter(person=person)
        return self.filter(
            Q(pk__in=current.filter(grid__isnull=False).values("grid"))
            | Q(area__posts__in=current.filter(post__isnull=False).values("post"))
        ).distinct()

    def containing_bbox(self, lon: float, lat: float):
        """Return grids whose bounding box contains the point (a cheap pre-filter)."""
        return self.filter(
            min_lon__lte=lon, max_lon__gte=lon, min_lat__lte=lat, max_lat__gte=lat
        )


class HouseholdQuerySet(ScopedQuerySet):
    bureau_field = "grid__area__station__bureau"
    station_field = "grid__area__station"
    grid_field = "grid"
    writers = frozenset({Role.BUREAU, Role.CHIEF, Role.FIELD})


class ResidentQuerySet(ScopedQuerySet):
    bureau_field = "household__grid__area__station__bureau"
    station_field = "household__grid__area__station"
    grid_field = "household__grid"
    writers = frozenset({Role.BUREAU, Role.CHIEF, Role.FIELD})
