from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from grids import national_id
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
    queryset = Resident.objects.all()
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
