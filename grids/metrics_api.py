"""``GET /api/v1/metrics/coverage/``: coverage rates (SPEC §3, §4; STYLE §5).

A query serializer validates the station or bureau and the day, ``metrics``
computes, an output serializer shapes the result. The URL is registered in
``assessments/api.py`` beside the other metrics endpoints.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from grids import metrics
from policing.scope import Role, scope_of
from policing.serializers import RateSerializer
from policing.viewsets import ScopedAPIView
from stations.models import Bureau, Station

STATION_OR_BUREAU = _("Give a station or a bureau.")
NOT_BOTH = _("Give a station or a bureau, not both.")
DATE_IN_FUTURE = _("The date must not be in the future.")

#: The roles whose scope holds every station of a bureau: only they may ask
#: for a bureau's figures, which sum up stations a chief may not see.
WHOLE_BUREAU_ROLES = frozenset({Role.SUPERUSER, Role.BUREAU})


class CoverageQuerySerializer(serializers.Serializer):
    """The query parameters of ``GET /api/v1/metrics/coverage/``.

    Exactly one of ``station`` and ``bureau``; ``date`` defaults to today.
    """

    station = serializers.IntegerField(
        required=False, help_text=_("The station; give this or bureau.")
    )
    bureau = serializers.IntegerField(
        required=False,
        help_text=_("All the stations of this bureau; give this or station."),
    )
    date = serializers.DateField(
        required=False,
        help_text=_(
            "The day the assignments are judged on, YYYY-MM-DD (local time); "
            "by default today."
        ),
    )

    def validate_date(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(DATE_IN_FUTURE)
        return value

    def validate(self, attrs):
        given = [name for name in ("station", "bureau") if name in attrs]
        if not given:
            raise serializers.ValidationError(
                {"station": [STATION_OR_BUREAU], "bureau": [STATION_OR_BUREAU]}
            )
        if len(given) > 1:
            raise serializers.ValidationError(
                {"station": [NOT_BOTH], "bureau": [NOT_BOTH]}
            )
        return {**attrs, "date": attrs.get("date") or timezone.localdate()}


class CoverageMetricsSerializer(serializers.Serializer):
    """The response of ``GET /api/v1/metrics/coverage/``: the SPEC §3 rates."""

    community_office_coverage = RateSerializer(
        help_text=_("Communities served by a community police office.")
    )
    rural_office_coverage = RateSerializer(
        help_text=_("Villages served by a rural central police office.")
    )
    workstation_coverage = RateSerializer(
        help_text=_("Villages served by a village police workstation.")
    )
    grid_officer_coverage = RateSerializer(
        help_text=_("Grids with a current responsible police officer.")
    )
    post_officer_share = RateSerializer(
        help_text=_("Police officers currently assigned to a post (target 40 %).")
    )


class StationsAskedMixin:
    """The stations a coverage or trends request names: one, or a bureau's."""

    def stations_asked(self, *, station=None, bureau=None, **_params):
        """Return the stations asked for, or raise NotFound.

        A station must be visible to the requester: field staff and a chief get
        their own station (coverage is reference data), bureau staff any of
        the bureau's. A bureau's figures sum up all its stations, so they
        are for bureau staff (and superusers) only: a chief or field staff
        asking for their own bureau gets 404 too, rather than figures about
        stations they may not see, or their station's figures under the
        bureau's name.
        """
        if station is not None:
            self.require_visible(Station, station)
            return self.visible(Station).filter(pk=station)
        if scope_of(self.request.user).role not in WHOLE_BUREAU_ROLES:
            raise NotFound
        self.require_visible(Bureau, bureau)
        return Station.objects.filter(bureau_id=bureau)


class CoverageMetricsView(StationsAskedMixin, ScopedAPIView):
    """Coverage rates of a station or a bureau the user may see."""

    @extend_schema(
        operation_id="metrics_coverage",
        summary="Coverage",
        description=(
            "Community office, rural office and workstation coverage, grids "
            "with a responsible officer and the share of officers at posts, "
            "for one station or every station of a bureau, with the "
            "assignments current on a day (default today). Give exactly one "
            "of station and bureau. A station or bureau outside the user's "
            "scope answers 404 like a nonexistent id; a bureau's figures are "
            "for bureau staff only. Definitions: docs/metrics.md, 'Coverage'."
        ),
        parameters=[CoverageQuerySerializer],
        responses={
            200: CoverageMetricsSerializer,
            400: OpenApiResponse(
                description="Neither or both of station and bureau, a "
                "malformed id or date, or a date in the future."
            ),
            404: OpenApiResponse(description="Unknown or out-of-scope id."),
        },
    )
    def get(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        result = metrics.coverage(
            stations=self.stations_asked(**params), on=params["date"]
        )
        return Response(CoverageMetricsSerializer(result).data)
