"""``GET /api/v1/reports/monthly/?month=&bureau=&format=json|xlsx|pdf`` (SPEC §4).

DRF reads ``?format=`` as its renderer switch (``URL_FORMAT_OVERRIDE``), so
the view offers an xlsx and a PDF renderer beside JSON; the files are
built by ``assessments.reports.files`` from the same report as the JSON.
Errors are always JSON, whatever format was asked for.
"""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.exceptions import NotFound
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from assessments.assessment_api import AssessmentRowSerializer, started_month
from assessments.reports import files
from assessments.reports.monthly import monthly_report
from assessments.reports.trends_api import TrendsSerializer
from cases.metrics_api import CaseClearanceSerializer, CaseIncidentsSerializer
from disputes.metrics_api import DisputeMetricsSerializer
from grids.metrics_api import CoverageMetricsSerializer
from policing.periods import Month
from policing.scope import Role, scope_of
from policing.viewsets import ScopedAPIView
from stations.models import Bureau

UNKNOWN_FORMAT = _("Give the format as json, xlsx or pdf.")
BUREAU_REQUIRED = _("Give the bureau.")


class ReportFileRenderer(renderers.BaseRenderer):
    """Renders a ``MonthlyReport`` as a file with ``build``."""

    charset = None
    render_style = "binary"
    build = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return self.build(data)


class XlsxRenderer(ReportFileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    build = staticmethod(files.report_xlsx)


class PdfRenderer(ReportFileRenderer):
    media_type = "application/pdf"
    format = "pdf"
    build = staticmethod(files.report_pdf)


class ExplicitFormatFirst(DefaultContentNegotiation):
    """An explicit ``?format=`` wins over the Accept header.

    DRF answers 406 when the two disagree, but an HTTP client that always
    sends ``Accept: application/json`` asked for the PDF in so many words.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        format = format_suffix or request.query_params.get(
            self.settings.URL_FORMAT_OVERRIDE
        )
        if not format:
            return super().select_renderer(request, renderers, format_suffix)
        renderer = self.filter_renderers(renderers, format)[0]
        return renderer, renderer.media_type


class MonthlyReportQuerySerializer(serializers.Serializer):
    month = serializers.CharField(
        required=False,
        help_text=_("Calendar month, YYYY-MM (local time); by default last month."),
    )
    bureau = serializers.IntegerField(
        required=False,
        help_text=_("The bureau; by default the user's own."),
    )
    format = serializers.ChoiceField(
        choices=["json", "xlsx", "pdf"],
        required=False,
        help_text=_("json (default), xlsx or pdf."),
    )

    def validate_month(self, value: str) -> Month:
        return started_month(value)


class PersonQuotasSerializer(serializers.Serializer):
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    completions = serializers.ListField(
        child=serializers.FloatField(allow_null=True),
        help_text=_("Quota completion (0-1) in each week of the month."),
    )
    weeks_met = serializers.IntegerField()
    weeks_tracked = serializers.IntegerField()
    completion = serializers.FloatField(allow_null=True)


class SectionSerializer(serializers.Serializer):
    station = serializers.IntegerField(
        allow_null=True, help_text=_("Null for the bureau's summary.")
    )
    code = serializers.CharField()
    name = serializers.CharField()
    coverage = CoverageMetricsSerializer()
    quota_completion = serializers.FloatField(
        allow_null=True, help_text=_("Mean completion over the person-weeks.")
    )
    weeks_met = serializers.IntegerField()
    weeks_tracked = serializers.IntegerField()
    assessment_average = serializers.FloatField(allow_null=True)
    disputes = DisputeMetricsSerializer()
    incidents = CaseIncidentsSerializer()
    clearance = CaseClearanceSerializer()
    trends = TrendsSerializer()
    quotas = PersonQuotasSerializer(many=True)
    assessment = AssessmentRowSerializer(many=True)


class MonthlyReportSerializer(serializers.Serializer):
    bureau = serializers.IntegerField()
    bureau_name = serializers.CharField()
    month = serializers.CharField()
    generated_at = serializers.DateTimeField()
    assessment_status = serializers.ChoiceField(
        choices=["published", "computed", "live"]
    )
    weeks = serializers.ListField(
        child=serializers.CharField(),
        help_text=_("The ISO weeks of the month (their Thursday in it)."),
    )
    summary = SectionSerializer()
    stations = SectionSerializer(many=True)


class MonthlyReportView(ScopedAPIView):
    """The bureau's monthly report as JSON, xlsx or PDF (bureau staff)."""

    renderer_classes = [renderers.JSONRenderer, XlsxRenderer, PdfRenderer]
    content_negotiation_class = ExplicitFormatFirst

    @extend_schema(
        operation_id="reports_monthly",
        summary="Monthly report",
        description=(
            "A bureau's month: per station coverage, weekly quota completion, "
            "the assessment ranking, disputes by colour and cases, with a "
            "summary; trends from the nightly snapshots. ?format=xlsx gives "
            "a workbook (a sheet per station), ?format=pdf a PDF with a "
            "chart, both in Chinese; ?format= wins over the Accept header. "
            "Bureau staff get their own bureau; "
            "anyone else gets 404."
        ),
        parameters=[MonthlyReportQuerySerializer],
        responses={
            (200, "application/json"): MonthlyReportSerializer,
            (200, XlsxRenderer.media_type): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The xlsx workbook."
            ),
            (200, PdfRenderer.media_type): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="The PDF."
            ),
            400: OpenApiResponse(description="Malformed month, bureau or format."),
            404: OpenApiResponse(description="Unknown or out-of-scope bureau."),
        },
    )
    def get(self, request):
        query = MonthlyReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        bureau = self.bureau_asked(params.get("bureau"))
        month = params.get("month") or Month.current().previous()
        report = monthly_report(bureau, month)
        if request.accepted_renderer.format == "json":
            return Response(MonthlyReportSerializer(report).data)
        return Response(
            report,
            headers={
                "Content-Disposition": (
                    f'attachment; filename="{file_name(bureau, month)}.'
                    f'{request.accepted_renderer.format}"'
                )
            },
        )

    def bureau_asked(self, bureau_id: int | None) -> Bureau:
        """Return the bureau whose report was asked for, or raise NotFound.

        The report sums up every station of the bureau, so it is for bureau
        staff (their own bureau) and superusers (who name one); a chief or
        field staff get 404, as for the bureau's coverage.
        """
        scope = scope_of(self.request.user)
        if scope.role is Role.BUREAU:
            if bureau_id is not None and bureau_id != scope.bureau_id:
                raise NotFound
            return Bureau.objects.get(pk=scope.bureau_id)
        if scope.role is Role.SUPERUSER:
            if bureau_id is None:
                raise serializers.ValidationError({"bureau": [BUREAU_REQUIRED]})
            return self.visible_or_404(Bureau, bureau_id)
        raise NotFound

    def perform_content_negotiation(self, request, force=False):
        try:
            return super().perform_content_negotiation(request, force=force)
        except Http404:  # DRF's answer to an unknown ?format=
            raise serializers.ValidationError({"format": [UNKNOWN_FORMAT]}) from None

    def handle_exception(self, exc):
        # Errors are JSON even when a file was asked for.
        self.request.accepted_renderer = renderers.JSONRenderer()
        self.request.accepted_media_type = renderers.JSONRenderer.media_type
        return super().handle_exception(exc)


def file_name(bureau: Bureau, month: Month) -> str:
    """An ASCII file name: ``monthly-report-<bureau code>-2026-10``."""
    code = "".join(char for char in bureau.code if char.isascii() and char.isalnum())
    return f"monthly-report-{code or bureau.pk}-{month}"
