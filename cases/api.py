"""The cases API: CRUD under the access rule plus transition endpoints."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import workflow
from cases.filtersets import CaseFilterSet
from cases.models import Case, CaseEvent
from cases.serializers import (
    PERSON_REQUIRED,
    CaseProgressSerializer,
    CaseReasonSerializer,
    CaseRequiredTextSerializer,
    CaseReturnVisitBodySerializer,
    CaseSerializer,
    CaseTextSerializer,
    QueryCodeSerializer,
)
from policing.viewsets import ScopedModelViewSet, WorkflowActionsMixin


class CaseViewSet(WorkflowActionsMixin, ScopedModelViewSet):
    """Cases (案件); only the transition endpoints change a status.

    Case records are sensitive: auxiliaries and grid workers see none. A
    transition not allowed in the case's current state answers 400 with the
    reason on ``status`` and changes nothing.
    """

    queryset = Case.objects.prefetch_related(
        "parties",
        Prefetch("events", queryset=CaseEvent.objects.order_by("at", "pk")),
        "return_visits",
        "ratings",
    )
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    workflow = workflow
    person_required = PERSON_REQUIRED

    @extend_schema(request=CaseTextSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept (受理) a reported case."""
        return self.transition_response(workflow.accept, CaseTextSerializer)

    @extend_schema(request=CaseTextSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="start-investigation")
    def start_investigation(self, request, pk=None):
        """Start investigating an accepted case."""
        return self.transition_response(
            workflow.start_investigation, CaseTextSerializer
        )

    @extend_schema(request=CaseRequiredTextSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def solve(self, request, pk=None):
        """Record that the case is solved; ``text`` is shown to the parties."""
        return self.transition_response(workflow.solve, CaseRequiredTextSerializer)

    @extend_schema(request=CaseTextSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close (结案) a solved case."""
        return self.transition_response(workflow.close, CaseTextSerializer)

    @extend_schema(request=CaseReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        """Drop a case not solved; the reason is shown to the parties."""
        return self.transition_response(workflow.drop, CaseReasonSerializer)

    @extend_schema(request=CaseProgressSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Note progress; ``public`` notes are shown to the parties."""
        return self.transition_response(workflow.add_progress, CaseProgressSerializer)

    @extend_schema(request=CaseReturnVisitBodySerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="return-visits")
    def return_visits(self, request, pk=None):
        """Record a return visit to one of the case's parties."""
        return self.transition_response(
            workflow.record_return_visit, CaseReturnVisitBodySerializer
        )

    @extend_schema(request=None, responses=QueryCodeSerializer)
    @action(detail=True, methods=["post"], url_path="query-code")
    def query_code(self, request, pk=None):
        """Issue a new query code for the parties' receipt; the old one stops working.

        The code is in this response only: it is stored as a keyed hash.
        """
        code = self.transition(workflow.issue_query_code)
        return Response(QueryCodeSerializer({"code": code}).data)
