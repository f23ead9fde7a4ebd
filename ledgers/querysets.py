from policing.querysets import ScopedQuerySet
from policing.scope import Role


class LedgerImportQuerySet(ScopedQuerySet):
    """Imports are the chief's or the bureau's: a chief sees the station's."""

    bureau_field = "bureau"
    station_field = "station"
    writers = frozenset({Role.BUREAU, Role.CHIEF})

    def _within(self, scope, *, territory):
        if scope.role not in (Role.BUREAU, Role.CHIEF, Role.SUPERUSER):
            return self.none()
        return super()._within(scope, territory=territory)
