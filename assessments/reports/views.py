"""The monthly report page: request a month's file, follow it, download it."""

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from assessments.forms import ReportRequestForm
from assessments.models import ReportJob
from assessments.reports import jobs
from assessments.reports.api import file_name
from policing.scope import Role
from policing.views import BureauPageMixin
from stations.models import Bureau

REPORT_QUEUED = _("The report of {month} has been requested.")
#: Jobs listed on the page.
RECENT_JOBS = 10


class ReportDownloadView(BureauPageMixin, TemplateView):
    template_name = "assessments/reports.html"

    def form(self, data=None) -> ReportRequestForm:
        bureaus = Bureau.objects.all() if self.scope.role is Role.SUPERUSER else None
        return ReportRequestForm(data, bureaus=bureaus)

    def get_context_data(self, **kwargs):
        jobs = (
            self.visible(ReportJob)
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
        jobs.request_report(
            bureau, month, form.cleaned_data["format"], user=request.user
        )
        messages.success(request, REPORT_QUEUED.format(month=month))
        return redirect("assessments:reports")


class ReportJobProgressView(BureauPageMixin, View):
    """JSON for the page's progress bar: status, percent and the file's URL."""

    def get(self, request, pk):
        job = get_object_or_404(self.visible(ReportJob).defer("content"), pk=pk)
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
            self.visible(ReportJob).select_related("bureau"),
            pk=pk,
            status=ReportJob.Status.DONE,
        )
        response = HttpResponse(
            bytes(job.content), content_type=jobs.MEDIA_TYPES[job.format]
        )
        name = f"{file_name(job.bureau, job.period)}.{job.format}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
