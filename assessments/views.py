"""The monthly report download page for bureau staff, with job progress."""

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from assessments import report_jobs
from assessments.forms import ReportRequestForm
from assessments.models import ReportJob
from assessments.report_api import file_name
from policing.views import StaffPageMixin
from stations.models import Bureau
from stations.scoping import Role, scope_of

REPORT_QUEUED = _("The report of {month} has been requested.")
#: Jobs listed on the page.
RECENT_JOBS = 10


class BureauPageMixin(StaffPageMixin):
    """A page of the bureau's own (SPEC §1): bureau staff and superusers only.

    Anyone else gets 404, as for the bureau's figures in the API.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_of(request.user).role not in (
            Role.BUREAU,
            Role.SUPERUSER,
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ReportDownloadView(BureauPageMixin, TemplateView):
    template_name = "assessments/reports.html"

    def form(self, data=None) -> ReportRequestForm:
        bureaus = Bureau.objects.all() if self.scope.role is Role.SUPERUSER else None
        return ReportRequestForm(data, bureaus=bureaus)

    def get_context_data(self, **kwargs):
        jobs = (
            ReportJob.objects.visible_to(self.request.user)
            .select_related("bureau", "requested_by")
            .defer("content")[:RECENT_JOBS]
        )
        return super().get_context_data(
            form=kwargs.pop("form", None) or self.form(), jobs=jobs, **kwargs
        )

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        bureau = form.cleaned_data.get("bureau") or Bureau.objects.get(
            pk=self.scope.bureau_id
        )
        month = form.cleaned_data["month"]
        report_jobs.request_report(
            bureau, month, form.cleaned_data["format"], user=request.user
        )
        messages.success(request, REPORT_QUEUED.format(month=month))
        return redirect("assessments:reports")


class ReportJobProgressView(BureauPageMixin, View):
    """JSON for the page's progress bar: status, percent and the file's URL."""

    def get(self, request, pk):
        job = get_object_or_404(
            ReportJob.objects.visible_to(request.user).defer("content"), pk=pk
        )
        done = job.status == ReportJob.Status.DONE
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "percent": job.percent,
                "url": reverse("assessments:report-file", args=[job.pk])
                if done
                else None,
            }
        )


class ReportJobFileView(BureauPageMixin, View):
    """The built file, as a download."""

    def get(self, request, pk):
        job = get_object_or_404(
            ReportJob.objects.visible_to(request.user).select_related("bureau"),
            pk=pk,
            status=ReportJob.Status.DONE,
        )
        response = HttpResponse(
            bytes(job.content), content_type=report_jobs.MEDIA_TYPES[job.format]
        )
        name = f"{file_name(job.bureau, job.period)}.{job.format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
