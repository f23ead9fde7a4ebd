from policing.querysets import ScopedQuerySet
from policing.scope import Role


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
        """Return the assessments of ``month`` (an ``policing.periods.Month``)."""
        return self.filter(month=month.first_day)


class InterimAssessmentQuerySet(ScopedQuerySet):
    bureau_field = "bureau"
    reference_data = True
    writers = frozenset()  # rewritten by assessments.interim only


class PersonalFiguresQuerySet(ScopedQuerySet):
    """Figures about one person each: field staff see only their own rows.

    A person's indicators and quota figures are a personal matter (SPEC §1:
    field staff see their own progress); chiefs see the station's rows and
    bureau staff the bureau's. Written by the assessments functions only.
    """

    station_field = "station"
    reference_data = True
    writers = frozenset()

    def _within(self, scope, *, territory):
        rows = super()._within(scope, territory=territory)
        if scope.role is Role.FIELD:
            return rows.filter(person_id=scope.person_id)
        return rows


class AssessmentRowQuerySet(PersonalFiguresQuerySet):
    bureau_field = "assessment__bureau"


class QuotaSnapshotQuerySet(PersonalFiguresQuerySet):
    bureau_field = "bureau"


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
