"""The disputes API: CRUD under the access rule plus transition endpoints."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from disputes import workflow
from disputes.filtersets import DisputeFilterSet
from disputes.models import Dispute, DisputeEvent
from disputes.serializers import (
    DisputeSerializer,
    ReasonSerializer,
    RegradeSerializer,
    ResolveBodySerializer,
    ReturnVisitBodySerializer,
    SessionBodySerializer,
    requester_person,
)
from policing.viewsets import ScopedModelViewSet


class DisputeViewSet(ScopedModelViewSet):
    """Disputes (矛盾纠纷); only the transition endpoints change a status.

    A transition not allowed in the dispute's current state answers 400 with
    the reason on ``status`` (or on the field at fault) and changes nothing.
    """

    queryset = Dispute.objects.prefetch_related(
        "parties",
        Prefetch("events", queryset=DisputeEvent.objects.order_by("at", "pk")),
        "sessions__mediators",
        "agreement__mediators",
        "agreement__consenting_parties",
        "return_visits",
    )
    serializer_class = DisputeSerializer
    filterset_class = DisputeFilterSet

    def _transition(self, function, body_serializer=None, **kwargs):
        dispute = self.get_object()
        # The state is checked first: a refused step says why, not which body
        # fields it would have needed.
        if function.__name__ not in workflow.ACTIONS[dispute.status]:
            raise workflow.not_allowed(dispute)
        if body_serializer is not None:
            body = body_serializer(
                data=self.request.data, context=self.get_serializer_context()
            )
            body.is_valid(raise_exception=True)
            kwargs.update(body.validated_data)
        function(dispute, by=requester_person(self.request), **kwargs)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=None, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a reported dispute; mediation becomes due."""
        return self._transition(workflow.accept)

    @extend_schema(request=SessionBodySerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"], url_path="hold-session")
    def hold_session(self, request, pk=None):
        """Record a mediation session held (accepted or mediating disputes)."""
        return self._transition(workflow.hold_session, SessionBodySerializer)

    @extend_schema(request=RegradeSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def regrade(self, request, pk=None):
        """Change the colour of an open dispute; lowering it needs a reason."""
        return self._transition(workflow.regrade, RegradeSerializer)

    @extend_schema(request=ReasonSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Hand an open dispute up one handling level."""
        return self._transition(workflow.escalate, ReasonSerializer)

    @extend_schema(request=ResolveBodySerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve a dispute in mediation with the agreement every party signed.

        A return visit becomes due.
        """
        return self._transition(workflow.resolve, ResolveBodySerializer)

    @extend_schema(request=ReasonSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """Refer an accepted dispute to another body."""
        return self._transition(workflow.refer, ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        """Record that mediation of an accepted dispute failed."""
        return self._transition(workflow.fail, ReasonSerializer)

    @extend_schema(request=ReturnVisitBodySerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"], url_path="return-visits")
    def return_visits(self, request, pk=None):
        """Record a return visit to the parties of a resolved dispute."""
        return self._transition(workflow.record_return_visit, ReturnVisitBodySerializer)

    @extend_schema(request=None, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a referred or failed dispute, or a resolved one visited since."""
        return self._transition(workflow.close)
