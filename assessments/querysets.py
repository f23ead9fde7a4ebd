from policing.querysets import ScopedQuerySet
from stations.scoping import Role


class QuotaPolicyQuerySet(ScopedQuerySet):
    bureau_field = "bureau"
    reference_data = True
    writers = frozenset({Role.BUREAU})  # SPEC §2: the bureau holds the policy


class AssessmentPolicyQuerySet(ScopedQuerySet):
    bureau_field = "bureau"
    reference_data = True
    writers = frozenset({Role.BUREAU})  # SPEC §2: the bureau holds the policy


class MonthlyAssessmentQuerySet(ScopedQuerySet):
    bureau_field = "bureau"
    reference_data = True
    # Computed and published through assessments.assessment only, never
    # written through the API or the admin.
    writers = frozenset()

    def for_month(self, month):
        """Return the assessments of ``month`` (an ``assessments.periods.Month``)."""
        return self.filter(month=month.first_day)


class AssessmentRowQuerySet(ScopedQuerySet):
    bureau_field = "assessment__bureau"
    station_field = "station"
    reference_data = True
    writers = frozenset()

    def _within(self, scope, *, territory):
        """Narrow field staff to their own row.

        A person's indicators are a personal matter, like their quota
        figures (SPEC §1: field staff see their own progress); chiefs see
        the station's rows and bureau staff the bureau's.
        """
        rows = super()._within(scope, territory=territory)
        if scope.role is Role.FIELD:
            return rows.filter(person_id=scope.person_id)
        return rows


class QuotaSnapshotQuerySet(ScopedQuerySet):
    bureau_field = "bureau"
    station_field = "station"
    reference_data = True
    # Written by assessments.snapshots only.
    writers = frozenset()

    def _within(self, scope, *, territory):
        """Narrow field staff to their own rows, as for live quota figures."""
        rows = super()._within(scope, territory=territory)
        if scope.role is Role.FIELD:
            return rows.filter(person_id=scope.person_id)
        return rows


class CoverageSnapshotQuerySet(ScopedQuerySet):
    bureau_field = "station__bureau"
    station_field = "station"
    reference_data = True
    writers = frozenset()


class ReportJobQuerySet(ScopedQuerySet):
    bureau_field = "bureau"
    reference_data = True
    # Created by the download page, for bureau staff only.
    writers = frozenset()

    def _within(self, scope, *, territory):
        """The bureau's report files are for bureau staff (and superusers)."""
        if scope.role not in (Role.BUREAU, Role.SUPERUSER):
            return self.none()
        return super()._within(scope, territory=territory)
