from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, Throttled
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from grids import national_id, reveal
from grids.filtersets import (
    AreaFilterSet,
    GridFilterSet,
    HouseholdFilterSet,
    ResidentFilterSet,
)
from grids.models import Area, Grid, Household, Resident
from grids.serializers import (
    AreaSerializer,
    GridSerializer,
    HouseholdSerializer,
    ResidentLookupSerializer,
    ResidentSerializer,
    RevealedIdSerializer,
    RevealRequestSerializer,
)
from policing.viewsets import ScopedModelViewSet


class AreaViewSet(ScopedModelViewSet):
    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet


class GridViewSet(ScopedModelViewSet):
    queryset = Grid.objects.all()
    serializer_class = GridSerializer
    filterset_class = GridFilterSet


class HouseholdViewSet(ScopedModelViewSet):
    queryset = Household.objects.all()
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilterSet


class ResidentViewSet(ScopedModelViewSet):
    # The household's grid decides who reads the phone in full.
    queryset = Resident.objects.select_related("household")
    serializer_class = ResidentSerializer
    filterset_class = ResidentFilterSet

    @extend_schema(
        request=ResidentLookupSerializer, responses=ResidentSerializer(many=True)
    )
    @action(detail=False, methods=["post"], serializer_class=ResidentLookupSerializer)
    def lookup(self, request):
        """Find residents by exact national ID number, sent in the body, not the URL."""
        query = ResidentLookupSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        digest = national_id.blind_index(query.validated_data["id_number"])
        matches = self.get_queryset().filter(id_number_hash=digest)
        return Response(
            ResidentSerializer(matches, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=RevealRequestSerializer,
        responses={200: RevealedIdSerializer, 403: None, 404: None, 429: None},
    )
    @action(detail=True, methods=["post"], serializer_class=RevealRequestSerializer)
    def reveal(self, request, pk=None):
        """Show the full national ID once, with a recorded reason (G-AD6).

        For station chiefs and bureau staff, within their scope, at most 20
        times a day. Every other response masks the number.
        """
        # The role first: field staff are refused whatever the id, so the
        # answer says nothing about which residents exist.
        if not reveal.may_reveal(request.user):
            raise PermissionDenied(reveal.NOT_A_REVEALER)
        # DRF's get_object_or_404: a malformed id is a 404, not a ValueError.
        resident = get_object_or_404(reveal.revealable(request.user), pk=pk)
        body = RevealRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            number = reveal.reveal_number(
                resident,
                user=request.user,
                reason=body.validated_data["reason"],
                request_id=getattr(request, "request_id", ""),
                client=reveal.client_address(request),
            )
        except reveal.RevealLimitReached as limit:
            raise Throttled(
                wait=limit.retry_after.total_seconds(), detail=str(limit)
            ) from None
        # The phone in full too: the reveal is the audited way to both.
        return Response(
            RevealedIdSerializer(
                {"id": resident.pk, "id_number": number, "phone": resident.phone}
            ).data
        )
