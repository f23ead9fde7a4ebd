"""The one access rule of SPEC §6, as a queryset vocabulary.

Every scoped model's queryset derives from :class:`ScopedQuerySet` and only
declares how to reach its bureau, station and grid. Views, the API and forms
all call the same three methods:

* ``visible_to(user)`` — rows the user may read;
* ``in_scope_of(user)`` — rows inside the user's own territory (their grids,
  their station, their bureau), which is also what they may point a foreign
  key at;
* ``editable_by(user)`` — rows the user may change: the territory, for the
  roles in ``writers``, nothing for the others.
"""

from typing import ClassVar

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from policing.scope import Role, Scope, scope_of


class ScopedQuerySet(models.QuerySet):
    #: ORM path from this model to its Bureau's primary key.
    bureau_field: ClassVar[str]
    #: ORM path to its Station's primary key; None for bureau-level rows.
    station_field: ClassVar[str | None] = None
    #: ORM path to its Grid's primary key; None when the row is not grid data.
    grid_field: ClassVar[str | None] = None
    #: Reference data (organisation, territory) may be read station-wide by
    #: field staff; grid data (households, residents, visits ...) may not.
    reference_data: ClassVar[bool] = False
    #: Roles that may create, change and delete rows of this model at all.
    writers: ClassVar[frozenset[Role]] = frozenset({Role.BUREAU, Role.CHIEF})

    def visible_to(self, user) -> "ScopedQuerySet":
        """Return the rows ``user`` may read."""
        return self._within(scope_of(user), territory=False)

    def in_scope_of(self, user) -> "ScopedQuerySet":
        """Return the rows inside the territory ``user`` works in."""
        return self._within(scope_of(user), territory=True)

    def editable_by(self, user) -> "ScopedQuerySet":
        """Return the rows ``user`` may change (none if the role may not write)."""
        scope = scope_of(user)
        if not self.may_write(scope):
            return self.none()
        return self._within(scope, territory=True)

    def of_station(self, station_id: int) -> "ScopedQuerySet":
        """Return the rows of one station (a dashboard's narrowing, not access)."""
        return self.filter(**{self.station_field: station_id})

    def of_bureau(self, bureau_id: int) -> "ScopedQuerySet":
        """Return the rows of one bureau."""
        return self.filter(**{self.bureau_field: bureau_id})

    def may_write(self, scope: Scope) -> bool:
        """Return whether the role of ``scope`` may write this model at all."""
        return scope.role is Role.SUPERUSER or scope.role in self.writers

    def _within(self, scope: Scope, *, territory: bool) -> "ScopedQuerySet":
        match scope.role:
            case Role.SUPERUSER:
                return self.all()
            case Role.BUREAU:
                return self.filter(**{self.bureau_field: scope.bureau_id})
            case Role.CHIEF:
                return self._in_station(scope)
            case Role.FIELD:
                if self.grid_field and (territory or not self.reference_data):
                    return self.filter(**{f"{self.grid_field}__in": scope.grid_ids})
                return self._in_station(scope)
        return self.none()

    def _in_station(self, scope: Scope) -> "ScopedQuerySet":
        if self.station_field is None:
            # Bureau-level rows: a station's staff read their own bureau.
            return self.filter(**{self.bureau_field: scope.bureau_id})
        return self.filter(**{self.station_field: scope.station_id})


def per_row(
    rows: models.QuerySet,
    aggregate=None,
    *,
    link: str | None = None,
    output_field=None,
    default=0,
) -> Coalesce:
    """Return ``aggregate`` (default: the number) of ``rows`` for each outer row.

    A correlated scalar subquery to annotate the outer queryset with: with
    ``link``, ``rows`` are narrowed to those whose ``link`` is the outer
    row's primary key; without it, ``rows`` are correlated already (an
    ``OuterRef`` in their filter). Grouping by a constant leaves out
    ``GROUP BY``, so the subquery returns exactly one row, and ``Coalesce``
    turns an empty ``SUM`` (or no row at all) into ``default``.
    """
    output_field = output_field or IntegerField()
    if link is not None:
        rows = rows.filter(**{link: OuterRef("pk")})
    aggregated = (
        rows.order_by()
        .annotate(_all=Value(1))
        .values("_all")
        .annotate(value=aggregate or Count("pk"))
        .values("value")
    )
    return Coalesce(
        Subquery(aggregated, output_field=output_field),
        Value(default, output_field=output_field),
    )
