"""The ledger page: upload a file, read the check, apply it; export; templates."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from ledgers import files, jobs, map_files, sheets
from ledgers.forms import LedgerUploadForm
from ledgers.models import LedgerEntity, LedgerExport, LedgerImport, LedgerImportRow
from policing.scope import Role, scope_of
from policing.views import StaffPageMixin

#: Exports mask phones; ``?phones=full`` needs this permission, and is logged.
FULL_PHONES_PERMISSION = "grids.export_full_phones"
RECENT_IMPORTS = 10
ROWS_PER_PAGE = 50
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
}
#: ?show= on an import's page -> the rows listed
ROW_FILTERS = {
    "errors": [LedgerImportRow.Action.INVALID],
    "changes": [LedgerImportRow.Action.NEW, LedgerImportRow.Action.UPDATE],
    "all": list(LedgerImportRow.Action),
}
FORMATS = {
    LedgerEntity.GRIDS: ("geojson",),
    LedgerEntity.POSTS: files.EXPORT_FORMATS,
    LedgerEntity.STAFF: files.EXPORT_FORMATS,
    LedgerEntity.HOUSEHOLDS: files.EXPORT_FORMATS,
    LedgerEntity.RESIDENTS: files.EXPORT_FORMATS,
}
RUNNING = (
    LedgerImport.Status.QUEUED,
    LedgerImport.Status.CHECKING,
    LedgerImport.Status.APPLYING,
)
UPLOADED = _("The file is being checked; nothing is changed until you apply it.")
APPLYING = _("The file is being applied.")
NOT_READY = _("Only a checked file without errors can be applied.")


class LedgerPageMixin(StaffPageMixin):
    """Imports are for a station's chief and bureau staff (issue: ledgers).

    Anyone else gets 404. A superuser, who belongs to no bureau, manages the
    records in the admin instead.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_of(request.user).role not in (
            Role.CHIEF,
            Role.BUREAU,
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class LedgerView(LedgerPageMixin, TemplateView):
    template_name = "ledgers/ledgers.html"

    def form(self, data=None, files=None) -> LedgerUploadForm:
        return LedgerUploadForm(data, files, max_bytes=jobs.MAX_FILE_BYTES)

    def get_context_data(self, **kwargs):
        imports = (
            self.visible(LedgerImport)
            .select_related("requested_by", "station")
            .defer("content")[:RECENT_IMPORTS]
        )
        return super().get_context_data(
            form=kwargs.pop("form", None) or self.form(),
            imports=imports,
            entities=[
                {
                    "value": value,
                    "label": label,
                    "formats": ("geojson",)
                    if value == LedgerEntity.GRIDS
                    else ("xlsx", "csv"),
                }
                for value, label in LedgerEntity.choices
            ],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        upload = form.cleaned_data["file"]
        job = jobs.upload(
            user=request.user,
            entity=form.cleaned_data["entity"],
            file_name=upload.name,
            content=upload.read(),
            language=get_language(),
        )
        messages.success(request, UPLOADED)
        return redirect(job)


class LedgerImportView(LedgerPageMixin, TemplateView):
    """One import: its check, row by row, and the button that applies it."""

    template_name = "ledgers/ledger_import.html"

    def get_object(self) -> LedgerImport:
        return get_object_or_404(
            self.visible(LedgerImport)
            .select_related("requested_by", "applied_by", "station")
            .defer("content"),
            pk=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        job = self.get_object()
        show = self.request.GET.get("show", "")
        if show not in ROW_FILTERS:
            show = "errors" if job.errors else "changes"
        rows = LedgerImportRow.objects.filter(
            ledger_import=job, action__in=ROW_FILTERS[show]
        ).order_by("number")
        return super().get_context_data(
            job=job,
            show=show,
            filters=[(key, FILTER_LABELS[key]) for key in ROW_FILTERS],
            page=Paginator(rows, ROWS_PER_PAGE).get_page(self.request.GET.get("page")),
            running=job.status
            in (
                LedgerImport.Status.QUEUED,
                LedgerImport.Status.CHECKING,
                LedgerImport.Status.APPLYING,
            ),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        job = self.get_object()
        if jobs.confirm(job, user=request.user):
            messages.success(request, APPLYING)
        else:
            messages.error(request, NOT_READY)
        return redirect(job)


FILTER_LABELS = {
    "errors": _("Errors"),
    "changes": _("Changes"),
    "all": _("All rows"),
}


class LedgerImportProgressView(LedgerPageMixin, View):
    """JSON for the page's progress bar."""

    def get(self, request, pk):
        job = get_object_or_404(self.visible(LedgerImport).only("pk", "status"), pk=pk)
        return JsonResponse(
            {
                "status": job.status,
                "status_label": job.get_status_display(),
                "percent": jobs.progress(job.pk),
            }
        )


class LedgerExportView(LedgerPageMixin, View):
    """The scope's records as a file with the import's headers; logged."""

    def get(self, request, entity: str, file_format: str):
        if entity not in LedgerEntity.values:
            raise Http404
        full_phones = False
        if entity == LedgerEntity.GRIDS:
            if file_format != "geojson":
                raise Http404
            content, rows = map_files.export(user=request.user)
        else:
            if file_format not in files.EXPORT_FORMATS:
                raise Http404
            full_phones = request.GET.get("phones") == "full"
            if full_phones and not request.user.has_perm(FULL_PHONES_PERMISSION):
                raise PermissionDenied
            content, rows = sheets.export(
                entity, file_format, user=request.user, full_phones=full_phones
            )
        LedgerExport.objects.create(
            entity=entity,
            format=file_format,
            rows=rows,
            full_phones=full_phones,
            exported_by=request.user,
        )
        return _attachment(content, f"{entity}.{file_format}", file_format)


class LedgerTemplateView(LedgerPageMixin, View):
    """An empty ledger with the headers and an example row."""

    def get(self, request, entity: str, file_format: str):
        if entity not in sheets.HEADERS or file_format not in files.EXPORT_FORMATS:
            raise Http404
        content = sheets.template(entity, file_format)
        return _attachment(content, f"{entity}-template.{file_format}", file_format)


def _attachment(content: bytes, name: str, file_format: str) -> HttpResponse:
    response = HttpResponse(content, content_type=MEDIA_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
