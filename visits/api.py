from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from policing.viewsets import ScopedModelViewSet
from visits import workflow
from visits.filtersets import (
    InspectionFilterSet,
    PatrolFilterSet,
    ServiceFilterSet,
    VenueFilterSet,
    VisitFilterSet,
)
from visits.models import Inspection, Patrol, Service, Venue, Visit
from visits.serializers import (
    InspectionSerializer,
    PatrolSerializer,
    PatrolStopSerializer,
    ServiceSerializer,
    VenueSerializer,
    VisitSerializer,
)

CLIENT_UUID_REUSED = _(
    "This client id was already used for a different record; "
    "send new records with a new client id."
)


class ClientUuidConflict(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = CLIENT_UUID_REUSED
    default_code = "client_uuid_reused"


class FieldWorkViewSet(ScopedModelViewSet):
    """Field work, created idempotently by ``client_uuid`` (SPEC §4).

    A first POST answers 201; a replay of it answers 200 with the stored row,
    and the same client id with other data 422.
    """

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        model = serializer.Meta.model
        try:
            instance, created = workflow.record(model, **serializer.validated_data)
        except workflow.ClientUuidReused:
            raise ClientUuidConflict({"client_uuid": [CLIENT_UUID_REUSED]}) from None
        if not created:
            # A replay shows the stored row only to whom may read it; anyone
            # else reused a key that is not theirs to see.
            if not self.visible(model).filter(pk=instance.pk).exists():
                raise ClientUuidConflict({"client_uuid": [CLIENT_UUID_REUSED]})
            return Response(self.get_serializer(instance).data)
        self._check_still_in_scope(instance)
        data = self.get_serializer(instance).data
        return Response(
            data, status=status.HTTP_201_CREATED, headers=self.get_success_headers(data)
        )


class VisitViewSet(FieldWorkViewSet):
    queryset = Visit.objects.all()
    serializer_class = VisitSerializer
    filterset_class = VisitFilterSet


class PatrolViewSet(FieldWorkViewSet):
    queryset = Patrol.objects.all()
    serializer_class = PatrolSerializer
    filterset_class = PatrolFilterSet

    @extend_schema(request=PatrolStopSerializer, responses=PatrolSerializer)
    @action(detail=True, methods=["post"])
    def stop(self, request, pk=None):
        """End a running patrol, now or at the ``ended_at`` given.

        A phone that was offline when the officer tapped stop sends that
        moment; sending the same end again changes nothing.
        """
        patrol = self.get_object()
        body = PatrolStopSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        # An administrator's login without a staff record may stop one too.
        by = getattr(request.user, "person", None)
        patrol = workflow.stop_patrol(
            patrol, by=by, at=body.validated_data.get("ended_at")
        )
        return Response(self.get_serializer(patrol).data)


class VenueViewSet(ScopedModelViewSet):
    queryset = Venue.objects.all()
    serializer_class = VenueSerializer
    filterset_class = VenueFilterSet


class InspectionViewSet(FieldWorkViewSet):
    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet


class ServiceViewSet(FieldWorkViewSet):
    queryset = Service.objects.all()
    serializer_class = ServiceSerializer
    filterset_class = ServiceFilterSet
