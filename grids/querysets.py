import datetime

from django.db.models import OuterRef, Q, Subquery

from policing.querysets import ScopedQuerySet, per_row
from policing.scope import Role


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

    def annotate_counts(self):
        """Annotate ``household_count``, ``resident_count`` and ``key_person_count``.

        Counted in subqueries, so the three joins do not multiply each other.
        """
        from grids.models import Household, Resident

        households = Household.objects.filter(grid=OuterRef("pk"))
        residents = Resident.objects.filter(household__grid=OuterRef("pk"))
        return self.annotate(
            household_count=per_row(households),
            resident_count=per_row(residents),
            key_person_count=per_row(residents.filter(is_key_person=True)),
        )


class HouseholdQuerySet(ScopedQuerySet):
    bureau_field = "grid__area__station__bureau"
    station_field = "grid__area__station"
    grid_field = "grid"
    writers = frozenset({Role.BUREAU, Role.CHIEF, Role.FIELD})

    def annotate_overview(self, *, visits):
        """Annotate ``resident_count``, ``key_person_count`` and ``last_visited_at``.

        ``visits`` is the visits the requester may read (``visible_to``), so
        a visit outside the requester's scope never dates a household.
        ``last_visited_at`` is None for a household never visited.
        """
        from grids.models import Resident

        residents = Resident.objects.filter(household=OuterRef("pk"))
        latest = (
            visits.filter(household=OuterRef("pk"))
            .order_by("-visited_at")
            .values("visited_at")[:1]
        )
        return self.annotate(
            resident_count=per_row(residents),
            key_person_count=per_row(residents.filter(is_key_person=True)),
            last_visited_at=Subquery(latest),
        )


class ResidentQuerySet(ScopedQuerySet):
    bureau_field = "household__grid__area__station__bureau"
    station_field = "household__grid__area__station"
    grid_field = "household__grid"
    writers = frozenset({Role.BUREAU, Role.CHIEF, Role.FIELD})
