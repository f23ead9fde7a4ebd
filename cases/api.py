"""The cases API: CRUD under the access rule plus transition endpoints."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from cases import workflow
from cases.filtersets import CaseFilterSet
from cases.models import Case, CaseEvent
from cases.serializers import (
    CaseProgressSerializer,
    CaseReasonSerializer,
    CaseRequiredTextSerializer,
    CaseReturnVisitBodySerializer,
    CaseSerializer,
    CaseTextSerializer,
    QueryCodeSerializer,
    requester_person,
)
from policing.viewsets import ScopedModelViewSet


class CaseViewSet(ScopedModelViewSet):
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

    def _transition(self, function, body_serializer=None, **kwargs):
        case = self.get_object()
        # The state is checked first: a refused step says why, not which body
        # fields it would have needed.
        if function.__name__ not in workflow.ACTIONS[case.status]:
            raise workflow.not_allowed(case)
        if body_serializer is not None:
            body = body_serializer(
                data=self.request.data, context=self.get_serializer_context()
            )
            body.is_valid(raise_exception=True)
            kwargs.update(body.validated_data)
        return function(case, by=requester_person(self.request), **kwargs)

    def _case_response(self, function, body_serializer=None):
        self._transition(function, body_serializer)
        return Response(self.get_serializer(self.get_object()).data)

    @extend_schema(request=CaseTextSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept (受理) a reported case."""
        return self._case_response(workflow.accept, CaseTextSerializer)

    @extend_schema(request=CaseTextSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="start-investigation")
    def start_investigation(self, request, pk=None):
        """Start investigating an accepted case."""
        return self._case_response(workflow.start_investigation, CaseTextSerializer)

    @extend_schema(request=CaseRequiredTextSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def solve(self, request, pk=None):
        """Record that the case is solved; ``text`` is shown to the parties."""
        return self._case_response(workflow.solve, CaseRequiredTextSerializer)

    @extend_schema(request=CaseTextSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close (结案) a solved case."""
        return self._case_response(workflow.close, CaseTextSerializer)

    @extend_schema(request=CaseReasonSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        """Drop a case not solved; the reason is shown to the parties."""
        return self._case_response(workflow.drop, CaseReasonSerializer)

    @extend_schema(request=CaseProgressSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        """Note progress; ``public`` notes are shown to the parties."""
        return self._case_response(workflow.add_progress, CaseProgressSerializer)

    @extend_schema(request=CaseReturnVisitBodySerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"], url_path="return-visits")
    def return_visits(self, request, pk=None):
        """Record a return visit to one of the case's parties."""
        return self._case_response(
            workflow.record_return_visit, CaseReturnVisitBodySerializer
        )

    @extend_schema(request=None, responses=QueryCodeSerializer)
    @action(detail=True, methods=["post"], url_path="query-code")
    def query_code(self, request, pk=None):
        """Issue a new query code for the parties' receipt; the old one stops working.

        The code is in this response only: it is stored as a keyed hash.
        """
        code = self._transition(workflow.issue_query_code)
        return Response(QueryCodeSerializer({"code": code}).data)
