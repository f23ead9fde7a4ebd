"""The bureau's pages: the county dashboard and the monthly report downloads."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from assessments import report_jobs, tasks
from assessments.dashboard import county_dashboard
from assessments.forms import (
    CountyDashboardForm,
    InterimRefreshForm,
    ReportRequestForm,
)
from assessments.models import ReportJob
from assessments.report_api import file_name
from policing.celery import enqueue_on_commit
from policing.periods import Month
from policing.scope import Role, scope_of
from policing.views import StaffPageMixin
from stations import maps
from stations.models import Bureau

REPORT_QUEUED = _("The report of {month} has been requested.")
INTERIM_QUEUED = _(
    "The ranking of {month} is being recomputed; reload the page in a minute."
)
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


#: Ranking columns a user may sort by; the indicators in the report's order.
RANKING_COLUMNS = (
    ("rank", _("Rank")),
    ("name", _("Name")),
    ("station", _("Station")),
    ("visibility", _("Visibility")),
    ("familiarity", _("Familiarity")),
    ("incident_rate", _("Incident rate")),
    ("information", _("Information")),
    ("effectiveness", _("Effectiveness")),
    ("satisfaction", _("Satisfaction")),
    ("score", _("Score")),
)
RANKING_PAGE_SIZE = 50


class CountyDashboardView(BureauPageMixin, TemplateView):
    """The bureau's monthly page: stations side by side, map, ranking."""

    template_name = "assessments/county.html"

    def get_context_data(self, **kwargs):
        superuser = self.scope.role is Role.SUPERUSER
        sort_keys = [
            f"{sign}{key}" for key, _label in RANKING_COLUMNS for sign in ("", "-")
        ]
        form = CountyDashboardForm(
            self.request.GET,
            bureaus=Bureau.objects.order_by("code") if superuser else None,
            sort_keys=sort_keys,
        )
        if not form.is_valid():
            # A hand-edited address: show the errors over the current month.
            cleaned = {"month": Month.current()}
        else:
            cleaned = form.cleaned_data
        bureau = cleaned.get("bureau") or self.default_bureau()
        if bureau is None:
            return super().get_context_data(form=form, board=None, **kwargs)
        board = county_dashboard(bureau, cleaned["month"])
        sort = cleaned.get("sort") or "rank"
        ranking = sorted_ranking(board.ranking, sort, names=board.station_names)
        page = Paginator(ranking, RANKING_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            form=form,
            board=board,
            sort=sort,
            headers=self.ranking_headers(sort),
            page=page,
            ranked_rows=[
                {"row": row, "station": board.station_names.get(row.station)}
                for row in page
            ],
            charts=county_charts(board),
            map_labels=maps.labels(),
            map_config=maps.config(),
            **kwargs,
        )

    def ranking_headers(self, sort: str) -> list[dict]:
        """Each ranking column's label, sort link and aria-sort state."""
        headers = []
        for key, label in RANKING_COLUMNS:
            query = self.request.GET.copy()
            query.pop("page", None)
            # A first click puts the best first: scores high to low.
            first = key if key in ("rank", "name", "station") else f"-{key}"
            if sort.removeprefix("-") == key:
                query["sort"] = sort.removeprefix("-") if sort[0] == "-" else f"-{key}"
            else:
                query["sort"] = first
            state = ""
            if sort.removeprefix("-") == key:
                state = "descending" if sort.startswith("-") else "ascending"
            headers.append(
                {
                    "key": key,
                    "label": label,
                    "url": f"?{query.urlencode()}",
                    "state": state,
                }
            )
        return headers

    def default_bureau(self) -> Bureau | None:
        if self.scope.bureau_id is not None:
            return Bureau.objects.get(pk=self.scope.bureau_id)
        return Bureau.objects.order_by("code").first()


class InterimRefreshView(BureauPageMixin, View):
    """The county page's "recompute now" for a month not stored yet."""

    def post(self, request):
        superuser = self.scope.role is Role.SUPERUSER
        form = InterimRefreshForm(
            request.POST, bureaus=Bureau.objects.all() if superuser else None
        )
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("assessments:county")
        bureau = form.cleaned_data.get("bureau") or Bureau.objects.get(
            pk=self.scope.bureau_id
        )
        month = form.cleaned_data["month"]
        enqueue_on_commit(tasks.refresh_interim_assessment, bureau.pk, str(month))
        messages.success(request, INTERIM_QUEUED.format(month=month))
        query = {"month": str(month)}
        if superuser:
            query["bureau"] = bureau.pk
        return redirect(f"{reverse('assessments:county')}?{urlencode(query)}")


def sorted_ranking(rows, sort: str, *, names: dict[int, str]) -> list:
    """Sort ranking rows by a column; rows without a value go last either way."""
    key = sort.removeprefix("-")
    descending = sort.startswith("-")

    def value(row):
        match key:
            case "rank":
                return row.rank_in_bureau
            case "name":
                return row.person_name
            case "station":
                return names.get(row.station, "")
            case _:
                return getattr(row, key)

    present = [row for row in rows if value(row) is not None]
    missing = [row for row in rows if value(row) is None]
    present.sort(key=lambda row: (value(row), row.person_name), reverse=descending)
    return present + missing


def county_charts(board) -> dict:
    """The county page's chart: completion and average score per station."""
    return {
        "stations": {
            "kind": "bar",
            "percent": True,
            "every_label": True,
            "categories": [column.station.name for column in board.stations],
            "series": [
                {
                    "name": str(_("Quota completion")),
                    "data": [column.completion for column in board.stations],
                },
                {
                    "name": str(_("Grid officer coverage")),
                    "data": [
                        column.coverage.grid_officer_coverage.rate
                        for column in board.stations
                    ],
                },
            ],
        }
    }
