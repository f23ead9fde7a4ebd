"""Query and output serializers of the assessments endpoints (STYLE §5)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from policing.periods import IsoWeek
from policing.serializers import RowSerializer


class QuotaQuerySerializer(serializers.Serializer):
    """The query parameters of ``GET /api/v1/metrics/quotas/`` (SPEC §4)."""

    week = serializers.CharField(
        help_text=_("ISO week, for example 2026-W47."),
    )
    station = serializers.IntegerField(
        required=False,
        help_text=_("Only the persons of this station."),
    )
    person = serializers.IntegerField(
        required=False,
        help_text=_("Only this person."),
    )

    def validate_week(self, value: str) -> IsoWeek:
        try:
            return IsoWeek.parse(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None


class QuotaTargetsSerializer(RowSerializer):
    """The weekly targets of the person's bureau."""

    household_visits = serializers.IntegerField()
    info_items = serializers.IntegerField()
    patrol_hours = serializers.FloatField()
    grid_days = serializers.IntegerField()


class QuotaRowSerializer(RowSerializer):
    """One person's weekly quota figures (SPEC §3)."""

    person = serializers.IntegerField()
    person_name = serializers.CharField()
    household_visits = serializers.IntegerField()
    info_items = serializers.IntegerField()
    # A JSON number with 2 decimals (12.5, not "12.50"), as SPEC §4 clients
    # compare it with the numeric target.
    patrol_hours = serializers.FloatField()
    grid_days = serializers.IntegerField()
    targets = QuotaTargetsSerializer()
    completion = serializers.FloatField(min_value=0, max_value=1)
    met = serializers.BooleanField()


class QuotaReportSerializer(serializers.Serializer):
    """The response of ``GET /api/v1/metrics/quotas/``."""

    week = serializers.CharField(help_text=_("ISO week, for example 2026-W47."))
    results = QuotaRowSerializer(many=True)
