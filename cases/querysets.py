"""Scoped querysets of cases: sensitive grid data (SECURITY G-PII6).

Case records are seen by the grid's police officers, the station chief and
the bureau; auxiliaries and grid workers see none.
"""

from policing.querysets import ScopedQuerySet
from policing.scope import Role, Scope

CASE_WRITERS = frozenset({Role.BUREAU, Role.CHIEF, Role.FIELD})
OFFICER = "officer"

#: statuses in which a case is still being worked on
OPEN_STATUSES = ("reported", "accepted", "investigating")


class SensitiveGridQuerySet(ScopedQuerySet):
    """Grid data that field staff other than police officers may not see."""

    writers = CASE_WRITERS

    def _within(self, scope: Scope, *, territory: bool):
        if scope.role is Role.FIELD and scope.person_kind != OFFICER:
            return self.none()
        return super()._within(scope, territory=territory)

    def may_write(self, scope: Scope) -> bool:
        if scope.role is Role.FIELD and scope.person_kind != OFFICER:
            return False
        return super().may_write(scope)


class CaseQuerySet(SensitiveGridQuerySet):
    bureau_field = "grid__area__station__bureau"
    station_field = "grid__area__station"
    grid_field = "grid"

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class CaseChildQuerySet(SensitiveGridQuerySet):
    """Parties, events, return visits and ratings: scoped through their case."""

    bureau_field = "case__grid__area__station__bureau"
    station_field = "case__grid__area__station"
    grid_field = "case__grid"
