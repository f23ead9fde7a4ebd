"""Metrics endpoints of SPEC §4: small APIViews over ``metrics`` (STYLE §5)."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from assessments import metrics
from assessments.serializers import QuotaQuerySerializer, QuotaReportSerializer
from policing.scope import Role, scope_of
from policing.viewsets import ScopedAPIView
from stations.models import Person, Station


class QuotaMetricsView(ScopedAPIView):
    """Weekly quota figures of the persons the user may see (SPEC §3, §4)."""

    @extend_schema(
        operation_id="metrics_quotas",
        summary="Weekly quotas",
        description=(
            "Household visits, information items, patrol hours and grid days "
            "of each person in an ISO week, against the bureau's targets. "
            "Field staff get their own row only; a station or person outside "
            "the user's scope answers 404 like a nonexistent id."
        ),
        parameters=[QuotaQuerySerializer],
        responses={
            200: QuotaReportSerializer,
            400: OpenApiResponse(description="Malformed or impossible week."),
            404: OpenApiResponse(description="Unknown or out-of-scope id."),
        },
    )
    def get(self, request):
        query = QuotaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        persons = self.persons(**params)
        rows = metrics.weekly_quotas(week=params["week"], persons=persons)
        if "person" in params and not rows:
            raise NotFound
        return Response(
            QuotaReportSerializer({"week": params["week"], "results": rows}).data
        )

    def persons(self, *, station=None, person=None, **_params):
        """Return the persons whose rows the requester asked for and may see.

        Field staff may read their station's staff list, but quota figures
        are a personal matter: SPEC §1 gives them "own weekly quota
        progress" only, hence the narrowing to their own row.
        """
        persons = self.visible(Person)
        scope = scope_of(self.request.user)
        if scope.role is Role.FIELD:
            persons = persons.filter(pk=scope.person_id)
        if station is not None:
            self.require_visible(Station, station)
            persons = persons.filter(station_id=station)
        if person is not None:
            persons = persons.filter(pk=person)
        return persons
