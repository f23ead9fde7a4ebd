"""The disputes API: CRUD under the access rule plus transition endpoints."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from disputes import workflow
from disputes.filtersets import DisputeFilterSet
from disputes.models import Dispute, DisputeEvent
from disputes.serializers import (
    PERSON_REQUIRED,
    DisputeSerializer,
    ReasonSerializer,
    RegradeSerializer,
    ResolveBodySerializer,
    ReturnVisitBodySerializer,
    SessionBodySerializer,
)
from policing.viewsets import ScopedModelViewSet, WorkflowActionsMixin


class DisputeViewSet(WorkflowActionsMixin, ScopedModelViewSet):
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
    workflow = workflow
    person_required = PERSON_REQUIRED

    @extend_schema(request=None, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept a reported dispute; mediation becomes due."""
        return self.transition_response(workflow.accept)

    @extend_schema(request=SessionBodySerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"], url_path="hold-session")
    def hold_session(self, request, pk=None):
        """Record a mediation session held (accepted or mediating disputes)."""
        return self.transition_response(workflow.hold_session, SessionBodySerializer)

    @extend_schema(request=RegradeSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def regrade(self, request, pk=None):
        """Change the colour of an open dispute; lowering it needs a reason."""
        return self.transition_response(workflow.regrade, RegradeSerializer)

    @extend_schema(request=ReasonSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """Hand an open dispute up one handling level."""
        return self.transition_response(workflow.escalate, ReasonSerializer)

    @extend_schema(request=ResolveBodySerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        """Resolve a dispute in mediation with the agreement every party signed.

        A return visit becomes due.
        """
        return self.transition_response(workflow.resolve, ResolveBodySerializer)

    @extend_schema(request=ReasonSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def refer(self, request, pk=None):
        """Refer an accepted dispute to another body."""
        return self.transition_response(workflow.refer, ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        """Record that mediation of an accepted dispute failed."""
        return self.transition_response(workflow.fail, ReasonSerializer)

    @extend_schema(request=ReturnVisitBodySerializer, responses=DisputeSerializer)
    @action(detail=True, methods=["post"], url_path="return-visits")
    def return_visits(self, request, pk=None):
        """Record a return visit to the parties of a resolved dispute."""
        return self.transition_response(
            workflow.record_return_visit, ReturnVisitBodySerializer
        )

    @extend_schema(request=None, responses=DisputeSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close a referred or failed dispute, or a resolved one visited since."""
        return self.transition_response(workflow.close)
