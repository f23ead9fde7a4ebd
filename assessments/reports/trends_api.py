"""``GET /api/v1/metrics/trends/``: quota and coverage trends from snapshots.

The nightly snapshots (``assessments.reports.snapshots``) give the weekly quota
completion of the last weeks and the month-end coverage of the last months,
with the week-on-week and month-on-month changes. Same station/bureau rule
as ``/metrics/coverage/``.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from assessments.models import CoverageSnapshot, QuotaSnapshot
from assessments.reports import snapshots
from grids.metrics_api import (
    CoverageMetricsSerializer,
    CoverageQuerySerializer,
    StationsAskedMixin,
)
from policing.viewsets import ScopedAPIView

MAX_WEEKS = 52
MAX_MONTHS = 24


class TrendsQuerySerializer(CoverageQuerySerializer):
    """The query parameters of ``GET /api/v1/metrics/trends/``."""

    weeks = serializers.IntegerField(
        required=False,
        default=8,
        min_value=2,
        max_value=MAX_WEEKS,
        help_text=_("How many weeks, ending with the week of the date."),
    )
    months = serializers.IntegerField(
        required=False,
        default=6,
        min_value=2,
        max_value=MAX_MONTHS,
        help_text=_("How many months, ending with the month of the date."),
    )


class QuotaPointSerializer(serializers.Serializer):
    week = serializers.CharField(help_text=_("ISO week, YYYY-Www."))
    persons = serializers.IntegerField(help_text=_("Persons with a snapshot."))
    met = serializers.IntegerField(help_text=_("Of them, those who met the quota."))
    completion = serializers.FloatField(
        allow_null=True,
        help_text=_("Mean quota completion (0-1); null without a snapshot."),
    )


class CoveragePointSerializer(serializers.Serializer):
    month = serializers.CharField(help_text=_("YYYY-MM."))
    day = serializers.DateField(
        allow_null=True, help_text=_("The month's last snapshot day.")
    )
    coverage = CoverageMetricsSerializer(allow_null=True)


class TrendsSerializer(serializers.Serializer):
    weeks = QuotaPointSerializer(many=True)
    week_on_week = serializers.FloatField(
        allow_null=True,
        help_text=_("Last week's completion minus the week before's."),
    )
    months = CoveragePointSerializer(many=True)
    month_on_month = serializers.DictField(
        child=serializers.FloatField(allow_null=True),
        help_text=_("Each coverage rate: last month's minus the month before's."),
    )


class TrendsView(StationsAskedMixin, ScopedAPIView):
    """Weekly quota and monthly coverage trends of a station or a bureau."""

    @extend_schema(
        operation_id="metrics_trends",
        summary="Trends",
        description=(
            "From the nightly snapshots: the mean weekly quota completion "
            "of the last weeks and the coverage on the last snapshot day of "
            "the last months, with the week-on-week and month-on-month "
            "changes. Field staff get their own quota figures only. Give "
            "exactly one of station and bureau (bureau staff only)."
        ),
        parameters=[TrendsQuerySerializer],
        responses={
            200: TrendsSerializer,
            400: OpenApiResponse(description="Malformed parameters."),
            404: OpenApiResponse(description="Unknown or out-of-scope id."),
        },
    )
    def get(self, request):
        query = TrendsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        stations = self.stations_asked(**params).values("pk")
        result = snapshots.trends(
            quota_snapshots=self.visible(QuotaSnapshot).filter(station__in=stations),
            coverage_snapshots=CoverageSnapshot.objects.filter(station__in=stations),
            until=params["date"],
            weeks=params["weeks"],
            months=params["months"],
        )
        return Response(TrendsSerializer(result).data)
