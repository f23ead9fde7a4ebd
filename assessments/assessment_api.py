"""The monthly assessment endpoints of SPEC §4 (STYLE §5: small APIViews).

* ``GET /api/v1/assessments/?month=2026-10&station=<id>``: per-person
  indicators, score and ranks; the stored rows when the month was computed
  or published, otherwise computed live (and not stored).
* ``POST /api/v1/assessments/compute/`` ``{"month"}``: bureau staff queue
  the computation and storage of a month (202).
* ``POST /api/v1/assessments/publish/`` ``{"month"}``: bureau staff freeze a
  stored month.

The URLs are registered in ``assessments/api.py`` beside the metrics.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from assessments import assessment, tasks
from assessments.models import AssessmentRow, MonthlyAssessment
from policing.celery import enqueue_on_commit
from policing.exceptions import Conflict
from policing.periods import Month
from policing.scope import Role, scope_of
from policing.viewsets import ScopedAPIView
from stations.models import Bureau, Station

BUREAU_REQUIRED = _("Give the bureau or a station.")
BUREAU_STAFF_ONLY = _("Only bureau staff may compute or publish assessments.")

#: ``status`` of a month that is neither computed nor published.
LIVE = "live"


def _month(value: str) -> Month:
    try:
        return Month.parse(value)
    except DjangoValidationError as error:
        raise serializers.ValidationError(error.messages) from None


def started_month(value: str) -> Month:
    """Return the month ``value`` names; a field error when malformed or to come."""
    month = _month(value)
    if month.start > timezone.now():
        raise serializers.ValidationError(
            assessment.MONTH_NOT_STARTED.format(month=month)
        )
    return month


class AssessmentQuerySerializer(serializers.Serializer):
    """The query parameters of ``GET /api/v1/assessments/``."""

    month = serializers.CharField(
        required=False,
        help_text=_("Calendar month, YYYY-MM (local time); by default last month."),
    )
    station = serializers.IntegerField(
        required=False, help_text=_("Only the persons of this station.")
    )
    bureau = serializers.IntegerField(
        required=False,
        help_text=_("The bureau; by default the user's own (or the station's)."),
    )

    def validate_month(self, value: str) -> Month:
        return started_month(value)

    def validate(self, attrs):
        return {**attrs, "month": attrs.get("month") or Month.current().previous()}


class AssessmentActionSerializer(serializers.Serializer):
    """The body of ``POST /api/v1/assessments/compute/`` and ``publish/``."""

    month = serializers.CharField(help_text=_("Calendar month, YYYY-MM."))
    bureau = serializers.IntegerField(
        required=False,
        help_text=_("The bureau; only superusers, who belong to none, give it."),
    )

    def validate_month(self, value: str) -> Month:
        return _month(value)


class AssessmentRowSerializer(serializers.Serializer):
    """One person's indicators (0-100, 2 decimals), score and ranks."""

    person = serializers.IntegerField()
    person_name = serializers.CharField()
    station = serializers.IntegerField()
    # JSON numbers (87.5, not "87.50"), null when the person has no data.
    visibility = serializers.FloatField(
        allow_null=True, help_text=_("见警率: patrol hours against the target.")
    )
    familiarity = serializers.FloatField(
        allow_null=True,
        help_text=_("熟悉率: households of the grids visited in 90 days."),
    )
    incident_rate = serializers.FloatField(
        allow_null=True,
        help_text=_("发案率: 100 at or below the target rate, 0 at twice it."),
    )
    information = serializers.FloatField(
        allow_null=True,
        help_text=_("信息采集率: information items against the target."),
    )
    effectiveness = serializers.FloatField(
        allow_null=True,
        help_text=_("实效率: disputes resolved and cases solved among those ended."),
    )
    satisfaction = serializers.FloatField(
        allow_null=True, help_text=_("满意率: ratings and return visits of 4 or 5.")
    )
    score = serializers.FloatField(
        allow_null=True,
        help_text=_("The weighted sum; missing indicators' weights are spread."),
    )
    rank_in_station = serializers.IntegerField(allow_null=True)
    rank_in_bureau = serializers.IntegerField(allow_null=True)


class AssessmentReportSerializer(serializers.Serializer):
    """The response of ``GET /api/v1/assessments/``."""

    month = serializers.CharField(help_text=_("The month, YYYY-MM."))
    status = serializers.ChoiceField(
        choices=["published", "computed", LIVE],
        help_text=_("Stored and frozen, stored, or computed for this request."),
    )
    computed_at = serializers.DateTimeField()
    results = AssessmentRowSerializer(many=True)


class AssessmentStateSerializer(serializers.Serializer):
    """The answer of ``compute/`` and ``publish/``."""

    month = serializers.CharField()
    bureau = serializers.IntegerField()
    status = serializers.CharField()


def _conflicts(error: DjangoValidationError) -> DjangoValidationError | Conflict:
    """Return a 409 for an error about the stored month's state, else ``error``."""
    codes = {e.code for errors in error.error_dict.values() for e in errors}
    if codes & assessment.STATE_ERRORS:
        return Conflict(detail=error.message_dict)
    return error


class AssessmentView(ScopedAPIView):
    """Monthly assessment rows the user may see (SPEC §3, §4)."""

    @extend_schema(
        operation_id="assessments_list",
        summary="Monthly assessment",
        description=(
            "Six indicators (0-100), the weighted score and the ranks in the "
            "station and the bureau of each assessed person in a calendar "
            "month. Stored rows when the month was computed or published, "
            "otherwise computed for this request. Field staff get their own "
            "row, a chief the station, bureau staff the bureau. Definitions: "
            "docs/metrics.md, 'Monthly assessment'."
        ),
        parameters=[AssessmentQuerySerializer],
        responses={
            200: AssessmentReportSerializer,
            400: OpenApiResponse(description="Malformed or future month."),
            404: OpenApiResponse(description="Unknown or out-of-scope id."),
        },
    )
    def get(self, request):
        query = AssessmentQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        month, station = params["month"], params.get("station")
        bureau = self.bureau_asked(station=station, bureau=params.get("bureau"))
        stored = (
            MonthlyAssessment.objects.for_month(month).filter(bureau=bureau).first()
        )
        if stored is not None:
            rows = self.visible(AssessmentRow).filter(assessment=stored)
            if station is not None:
                rows = rows.filter(station_id=station)
            results = assessment.stored_rows(rows)
            state, computed_at = stored.status, stored.computed_at
        else:
            computed_at = timezone.now()
            results = _visible(
                assessment.compute_month(bureau, month, now=computed_at),
                request.user,
                station=station,
            )
            state = LIVE
        report = {
            "month": str(month),
            "status": state,
            "computed_at": computed_at,
            "results": results,
        }
        return Response(AssessmentReportSerializer(report).data)

    def bureau_asked(self, *, station: int | None, bureau: int | None) -> Bureau:
        """Return the bureau asked about: the station's, the given one or the user's.

        An id outside the requester's scope answers 404 like a nonexistent one.
        """
        if station is not None:
            found = self.visible(Station).filter(pk=station)
            if bureau is not None:
                found = found.filter(bureau_id=bureau)
            bureau = found.values_list("bureau_id", flat=True).first()
            if bureau is None:
                raise NotFound
        elif bureau is None:
            bureau = scope_of(self.request.user).bureau_id
            if bureau is None:  # a superuser belongs to no bureau
                raise serializers.ValidationError({"bureau": [BUREAU_REQUIRED]})
        return self.visible_or_404(Bureau, bureau)


class AssessmentActionView(ScopedAPIView):
    """Compute or publish a month: bureau staff and superusers only."""

    def bureau_and_month(self) -> tuple[Bureau, Month]:
        """Return the bureau and month of a compute or publish request.

        Only bureau staff (for their bureau) and superusers (for the bureau
        they name) may act; anyone else gets 403, whatever the body.
        """
        scope = scope_of(self.request.user)
        if scope.role not in (Role.BUREAU, Role.SUPERUSER):
            raise PermissionDenied(BUREAU_STAFF_ONLY)
        body = AssessmentActionSerializer(data=self.request.data)
        body.is_valid(raise_exception=True)
        month = body.validated_data["month"]
        if scope.role is Role.BUREAU:
            bureau = Bureau.objects.get(pk=scope.bureau_id)
        else:
            bureau_id = body.validated_data.get("bureau")
            if bureau_id is None:
                raise serializers.ValidationError({"bureau": [BUREAU_REQUIRED]})
            bureau = self.visible_or_404(Bureau, bureau_id)
        return bureau, month


class AssessmentComputeView(AssessmentActionView):
    """Queue the computation and storage of a month (bureau staff)."""

    @extend_schema(
        operation_id="assessments_compute",
        summary="Compute and store a monthly assessment",
        request=AssessmentActionSerializer,
        responses={
            202: AssessmentStateSerializer,
            400: OpenApiResponse(description="Malformed month or not over yet."),
            403: OpenApiResponse(description="Not bureau staff."),
            409: OpenApiResponse(description="The month is published."),
        },
    )
    def post(self, request):
        bureau, month = self.bureau_and_month()
        try:
            assessment.check_storable(bureau, month)
        except DjangoValidationError as error:
            raise _conflicts(error) from None
        enqueue_on_commit(tasks.compute_monthly_assessment, bureau.pk, str(month))
        body = {"month": str(month), "bureau": bureau.pk, "status": "queued"}
        return Response(
            AssessmentStateSerializer(body).data, status=status.HTTP_202_ACCEPTED
        )


class AssessmentPublishView(AssessmentActionView):
    """Publish (freeze) a stored month (bureau staff)."""

    @extend_schema(
        operation_id="assessments_publish",
        summary="Publish a monthly assessment",
        request=AssessmentActionSerializer,
        responses={
            200: AssessmentStateSerializer,
            400: OpenApiResponse(description="Malformed month."),
            403: OpenApiResponse(description="Not bureau staff."),
            409: OpenApiResponse(description="Not computed, or already published."),
        },
    )
    def post(self, request):
        bureau, month = self.bureau_and_month()
        scope = scope_of(request.user)
        try:
            published = assessment.publish_month(
                bureau, month, by=request.user.person if scope.person_id else None
            )
        except DjangoValidationError as error:
            raise _conflicts(error) from None
        body = {"month": str(month), "bureau": bureau.pk, "status": published.status}
        return Response(AssessmentStateSerializer(body).data)


def _visible(rows: list, user, *, station: int | None) -> list:
    """Keep the live rows ``user`` may see: the rule of ``AssessmentRowQuerySet``.

    The whole bureau is computed (ranks need it); field staff keep their
    own row and a chief the station's.
    """
    scope = scope_of(user)
    if scope.role is Role.FIELD:
        rows = [row for row in rows if row.person == scope.person_id]
    elif scope.role is Role.CHIEF:
        rows = [row for row in rows if row.station == scope.station_id]
    if station is not None:
        rows = [row for row in rows if row.station == station]
    return rows
