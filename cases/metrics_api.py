"""``GET /api/v1/metrics/cases/``: incident rates, clearance, ratings (STYLE §5).

A query serializer validates the month and the station, ``metrics``
computes, an output serializer shapes the result. The URL is registered in
``assessments/api.py`` beside the other metrics endpoints.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from cases import metrics
from cases.models import Case, Status
from grids.models import Grid
from policing.periods import Month
from policing.serializers import TargetRateSerializer
from policing.viewsets import ScopedAPIView
from stations.models import Station


class CaseMetricsQuerySerializer(serializers.Serializer):
    """The query parameters of ``GET /api/v1/metrics/cases/``."""

    month = serializers.CharField(
        required=False,
        help_text=_("Calendar month, YYYY-MM (local time); by default this month."),
    )
    station = serializers.IntegerField(
        required=False, help_text=_("Only the grids and cases of this station.")
    )

    def validate_month(self, value: str) -> Month:
        try:
            return Month.parse(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate(self, attrs):
        return {**attrs, "month": attrs.get("month") or Month.current()}


class CaseIncidentsSerializer(serializers.Serializer):
    """Cases of the month against the residents, and year on year."""

    cases = serializers.IntegerField(
        min_value=0, help_text=_("Cases reported in the month.")
    )
    criminal = serializers.IntegerField(
        min_value=0, help_text=_("Criminal cases reported in the month.")
    )
    administrative = serializers.IntegerField(
        min_value=0, help_text=_("Administrative cases reported in the month.")
    )
    residents = serializers.IntegerField(
        min_value=0, help_text=_("Residents now recorded in the households.")
    )
    # JSON numbers with 2 and 4 decimals (4285.71, -0.1528), not strings.
    rate_per_10k = serializers.FloatField(
        allow_null=True,
        min_value=0,
        help_text=_("cases / residents * 10,000, 2 decimals; null without residents."),
    )
    same_month_last_year = serializers.IntegerField(
        min_value=0, help_text=_("Cases reported in the same month a year earlier.")
    )
    yoy_change = serializers.FloatField(
        allow_null=True,
        min_value=-1,
        help_text=_(
            "(cases - same_month_last_year) / same_month_last_year, 4 decimals; "
            "null when last year had none."
        ),
    )
    criminal_same_month_last_year = serializers.IntegerField(
        min_value=0,
        help_text=_("Criminal cases reported in the same month a year earlier."),
    )
    criminal_yoy_change = serializers.FloatField(
        allow_null=True,
        min_value=-1,
        help_text=_("The year-on-year change of criminal cases, like yoy_change."),
    )


class CaseGridIncidentsSerializer(CaseIncidentsSerializer):
    grid = serializers.IntegerField()
    grid_code = serializers.CharField()
    grid_name = serializers.CharField()
    station = serializers.IntegerField()


class CaseStationIncidentsSerializer(CaseIncidentsSerializer):
    station = serializers.IntegerField()
    station_code = serializers.CharField()
    station_name = serializers.CharField()


CaseStatusCountsSerializer = type(
    "CaseStatusCountsSerializer",
    (serializers.Serializer,),
    {
        value: serializers.IntegerField(min_value=0, help_text=label)
        for value, label in Status.choices
    },
)


class CaseClearanceSerializer(serializers.Serializer):
    reported = serializers.IntegerField(
        min_value=0, help_text=_("Cases reported in the month.")
    )
    by_status = CaseStatusCountsSerializer(
        help_text=_("The same cases by their status now.")
    )
    overall = TargetRateSerializer(
        help_text=_("Solved or closed now, among the cases not dropped.")
    )
    criminal = TargetRateSerializer(help_text=_("The same, criminal cases."))
    administrative = TargetRateSerializer(
        help_text=_("The same, administrative cases.")
    )


class CaseRatingsSerializer(serializers.Serializer):
    count = serializers.IntegerField(
        min_value=0, help_text=_("Ratings given in the month.")
    )
    mean_score = serializers.FloatField(
        allow_null=True,
        min_value=1,
        max_value=5,
        help_text=_("Mean score, 2 decimals; null without ratings."),
    )
    satisfied = TargetRateSerializer(
        help_text=_("Ratings scoring 4 or 5, against the 90 % target.")
    )


class CaseMetricsSerializer(serializers.Serializer):
    """The response of ``GET /api/v1/metrics/cases/``."""

    month = serializers.CharField(help_text=_("The month, YYYY-MM."))
    grids = CaseGridIncidentsSerializer(many=True)
    stations = CaseStationIncidentsSerializer(many=True)
    total = CaseIncidentsSerializer(help_text=_("The sums over the stations."))
    clearance = CaseClearanceSerializer()
    ratings = CaseRatingsSerializer()


class CaseMetricsView(ScopedAPIView):
    """Case figures of the grids and cases the user may see."""

    @extend_schema(
        operation_id="metrics_cases",
        summary="Cases: incident rates, clearance and ratings",
        description=(
            "Per grid, per station and in total: cases reported in a calendar "
            "month (local time) per 10,000 residents and year on year; the "
            "clearance of those cases now; and the parties' ratings given in "
            "the month. Field staff get their own grids; staff who may not "
            "see cases get empty lists and zeros. A station outside the "
            "user's scope answers 404 like a nonexistent id. Definitions: "
            "docs/metrics.md, 'Cases'."
        ),
        parameters=[CaseMetricsQuerySerializer],
        responses={
            200: CaseMetricsSerializer,
            400: OpenApiResponse(description="Malformed or impossible month."),
            404: OpenApiResponse(description="Unknown or out-of-scope station."),
        },
    )
    def get(self, request):
        query = CaseMetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cases, grids = self.cases_and_grids(station=params.get("station"))
        result = metrics.case_metrics(cases, grids, month=params["month"])
        return Response(CaseMetricsSerializer(result).data)

    def cases_and_grids(self, *, station=None):
        """Return the cases and the grids the requester may see, narrowed as asked.

        The grids are the user's territory (``in_scope_of``): field staff
        may read the other grids of their station as reference data, but not
        their cases or residents, which would show as misleading zeros. Staff
        who may see no case at all (auxiliaries, grid workers) get no grids
        either, for the same reason.
        """
        cases = self.visible(Case)
        grids = self.territory(Grid)
        if cases.query.is_empty():
            grids = grids.none()
        if station is not None:
            self.require_visible(Station, station)
            cases = cases.filter(grid__area__station_id=station)
            grids = grids.filter(area__station_id=station)
        return cases, grids
