"""``GET /api/v1/metrics/disputes/``: dispute mediation figures (STYLE §5).

A query serializer validates the period and the filters, ``metrics``
computes, an output serializer shapes the result. The URL is registered in
``assessments/api.py`` beside the other metrics endpoints.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from disputes import metrics
from disputes.models import Colour, Dispute, Level, Status
from grids.models import Grid
from policing.serializers import TargetRateSerializer
from policing.viewsets import ScopedAPIView
from stations.models import Station

#: The longest period one request may cover: a leap year.
MAX_PERIOD_DAYS = 366

FROM_AFTER_TO = _("The start date must not be after the end date.")
PERIOD_TOO_LONG = _("The period must not be longer than {days} days.")


def _rename(fields: dict, **names: str) -> dict:
    """Rename serializer fields to names Python keeps for itself (``from``)."""
    for python_name, name in names.items():
        fields[name] = fields.pop(python_name)
    return fields


class DisputeMetricsQuerySerializer(serializers.Serializer):
    """The query parameters of ``GET /api/v1/metrics/disputes/``.

    Without dates the period is the current month up to today (local time);
    ``to`` alone starts the period on the first of its month, ``from``
    alone ends it today.
    """

    start = serializers.DateField(
        source="start",
        required=False,
        help_text=_(
            "First day of the period, YYYY-MM-DD (local time); by default the "
            "first day of the month of the end date."
        ),
    )
    to = serializers.DateField(
        source="end",
        required=False,
        help_text=_("Last day of the period, included; by default today."),
    )
    station = serializers.IntegerField(
        required=False, help_text=_("Only the disputes of this station.")
    )
    grid = serializers.IntegerField(
        required=False, help_text=_("Only the disputes of this grid.")
    )

    def get_fields(self):
        return _rename(super().get_fields(), start="from")

    def validate(self, attrs):
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end.replace(day=1)
        if start > end:
            raise serializers.ValidationError({"to": [FROM_AFTER_TO]})
        if (end - start).days + 1 > MAX_PERIOD_DAYS:
            raise serializers.ValidationError(
                {"to": [PERIOD_TOO_LONG.format(days=MAX_PERIOD_DAYS)]}
            )
        return {**attrs, "start": start, "end": end}


def _counts_serializer(name: str, choices) -> type[serializers.Serializer]:
    """Return a serializer with one count per choice, every key present."""
    fields = {
        value: serializers.IntegerField(min_value=0, help_text=label)
        for value, label in choices.choices
    }
    return type(name, (serializers.Serializer,), fields)


DisputeColourCountsSerializer = _counts_serializer(
    "DisputeColourCountsSerializer", Colour
)
DisputeLevelCountsSerializer = _counts_serializer("DisputeLevelCountsSerializer", Level)
DisputeStatusCountsSerializer = _counts_serializer(
    "DisputeStatusCountsSerializer", Status
)


class DisputeCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField(
        min_value=0, help_text=_("Disputes reported in the period.")
    )
    by_colour = DisputeColourCountsSerializer()
    by_level = DisputeLevelCountsSerializer()
    by_status = DisputeStatusCountsSerializer()
    open = serializers.IntegerField(
        min_value=0, help_text=_("Disputes open now, whenever reported.")
    )
    overdue = serializers.IntegerField(
        min_value=0, help_text=_("Disputes overdue now, whenever reported.")
    )


class DisputeSlaSerializer(serializers.Serializer):
    first_contact = TargetRateSerializer()
    mediation = TargetRateSerializer()
    return_visit = TargetRateSerializer()
    overall = TargetRateSerializer()


class DisputeSatisfactionSerializer(serializers.Serializer):
    satisfied = TargetRateSerializer(
        help_text=_("Return visits scoring 4 or 5 among those in the period.")
    )
    # A JSON number with 2 decimals (4.33, not "4.33").
    mean_score = serializers.FloatField(
        allow_null=True,
        min_value=1,
        max_value=5,
        help_text=_("Mean score, 2 decimals; null without return visits."),
    )


class DisputeMetricsSerializer(serializers.Serializer):
    """The response of ``GET /api/v1/metrics/disputes/``."""

    start = serializers.DateField(source="start")
    to = serializers.DateField(source="end")
    as_of = serializers.DateTimeField(source="now")
    counts = DisputeCountsSerializer()
    success_rate = TargetRateSerializer()
    sla_compliance = DisputeSlaSerializer()
    satisfaction = DisputeSatisfactionSerializer()

    def get_fields(self):
        return _rename(super().get_fields(), start="from")


class DisputeMetricsView(ScopedAPIView):
    """Dispute mediation figures of the disputes the user may see."""

    @extend_schema(
        operation_id="metrics_disputes",
        summary="Dispute mediation",
        description=(
            "Counts, success rate, time-limit compliance and satisfaction of "
            "the disputes the user may see, for a period of local dates "
            "(default: this month to date, at most 366 days). A station or "
            "grid outside the user's scope answers 404 like a nonexistent "
            "id. Definitions: docs/metrics.md, 'Dispute mediation'."
        ),
        parameters=[DisputeMetricsQuerySerializer],
        responses={
            200: DisputeMetricsSerializer,
            400: OpenApiResponse(description="Malformed date or impossible period."),
            404: OpenApiResponse(description="Unknown or out-of-scope id."),
        },
    )
    def get(self, request):
        query = DisputeMetricsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        result = metrics.dispute_metrics(
            self.disputes(**params),
            start=params["start"],
            end=params["end"],
        )
        return Response(DisputeMetricsSerializer(result).data)

    def disputes(self, *, station=None, grid=None, **_params):
        """Return the disputes the requester may see, narrowed as asked.

        The grid must be in the user's territory (``in_scope_of``): field
        staff may read the grids of their station as reference data, but
        not their disputes, so another grid of the station answers 404
        rather than a misleading row of zeros.
        """
        disputes = self.visible(Dispute)
        if station is not None:
            self.require_visible(Station, station)
            disputes = disputes.filter(grid__area__station_id=station)
        if grid is not None:
            self.require_visible(Grid, grid, territory=True)
            disputes = disputes.filter(grid_id=grid)
        return disputes
