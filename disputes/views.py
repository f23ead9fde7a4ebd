"""Dispute pages: the station's board, a dispute's page, the phone report form."""

from collections import defaultdict

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Prefetch, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views import View
from django.views.generic import TemplateView

from disputes import workflow
from disputes.documents import agreement_pdf
from disputes.filtersets import DisputeFilterSet
from disputes.forms import PartyFormSet, ReportForm, action_form
from disputes.metrics import dispute_metrics
from disputes.models import Agreement, Colour, Dispute, DisputeEvent, Level, Status
from grids.models import Grid, Household
from policing.forms import add_errors
from policing.phones import shown_phone
from policing.scope import Role
from policing.views import FieldPageMixin, StaffPageMixin, WorkflowActionMixin
from stations.models import Person, Station
from visits.models import Visit

#: the board's columns: a title and the statuses shown in it
COLUMNS = (
    (pgettext_lazy("dispute status", "Reported"), (Status.REPORTED,)),
    (_("Accepted"), (Status.ACCEPTED,)),
    (_("Mediating"), (Status.MEDIATING,)),
    (_("Resolved"), (Status.RESOLVED,)),
    (_("Referred or failed"), (Status.REFERRED, Status.FAILED)),
    (_("Closed"), (Status.CLOSED,)),
)
#: cards shown per column; the column header gives the full count
CARDS_PER_COLUMN = 40

ACTION_DONE = {
    "accept": _("The dispute is accepted; mediation is due by {due:%m-%d %H:%M}."),
    "regrade": _("The colour is changed."),
    "escalate": _("The dispute is handed up a level."),
    "hold_session": _("The mediation session is recorded."),
    "resolve": _("The dispute is resolved; the agreement can be printed."),
    "refer": _("The dispute is referred."),
    "fail": _("The failed mediation is recorded."),
    "record_return_visit": _("The return visit is recorded."),
    "close": _("The dispute is closed."),
}


class DisputeBoardView(StaffPageMixin, TemplateView):
    """The station's disputes by status, in their colours, late ones marked."""

    template_name = "disputes/board.html"

    def get_context_data(self, **kwargs):
        visible = self.visible(Dispute)
        filterset = DisputeFilterSet(self.request.GET or None, queryset=visible)
        disputes = visible
        if filterset.is_bound:
            # A search through the parties joins them and adds DISTINCT: the
            # column counts would repeat a dispute once per party, and the
            # month's figures cannot aggregate over a DISTINCT queryset.
            # Narrowing by primary key keeps one row per dispute.
            disputes = (
                visible.filter(pk__in=filterset.qs.values("pk"))
                if filterset.is_valid()
                else visible.none()
            )
        counts = dict(disputes.order_by().values_list("status").annotate(n=Count("pk")))
        # The latest cards of every status in one query (a window per status).
        ranked = (
            disputes.annotate_overdue()
            .annotate_done_late()
            .annotate(
                rank=Window(
                    RowNumber(),
                    partition_by=[F("status")],
                    order_by=[F("reported_at").desc(), F("pk").desc()],
                )
            )
            .filter(rank__lte=CARDS_PER_COLUMN)
            .select_related("grid")
            .prefetch_related("parties")
            .order_by("-reported_at", "-pk")
        )
        cards_by_status = defaultdict(list)
        for card in ranked:
            cards_by_status[card.status].append(card)
        columns = []
        for title, statuses in COLUMNS:
            cards = sorted(
                (card for status in statuses for card in cards_by_status[status]),
                key=lambda card: (card.reported_at, card.pk),
                reverse=True,
            )
            columns.append(
                {
                    "title": title,
                    "count": sum(counts.get(status, 0) for status in statuses),
                    "cards": cards[:CARDS_PER_COLUMN],
                }
            )
        phone_column = self.phone_column()
        today = timezone.localdate()
        figures = dispute_metrics(disputes, start=today.replace(day=1), end=today)
        return super().get_context_data(
            columns=columns,
            phone_column=phone_column,
            mine=self.scope.person_id,
            filterset=filterset,
            figures=figures,
            colour_shares=_colour_shares(figures.counts.by_colour),
            overdue_count=figures.counts.overdue,
            # Field staff read the station's grids but only their own grids'
            # disputes: offer the grids whose disputes they can see.
            grids=self.territory(Grid).order_by("code"),
            stations=self.visible(Station).order_by("name")
            if self.scope.role in (Role.BUREAU, Role.SUPERUSER)
            else Station.objects.none(),
            colours=Colour.choices,
            levels=Level.choices,
            may_report=self.scope.person_id is not None,
            **kwargs,
        )

    def phone_column(self) -> int:
        """The column a phone shows (``?column=``), the first by default."""
        try:
            column = int(self.request.GET.get("column", 0))
        except ValueError:
            return 0
        return column if 0 <= column < len(COLUMNS) else 0


class DisputeDetailView(WorkflowActionMixin, StaffPageMixin, TemplateView):
    """One dispute: parties, due times, timeline, and the actions its state allows."""

    template_name = "disputes/detail.html"
    workflow = workflow
    context_object_name = "dispute"
    action_form = staticmethod(action_form)

    def get_object(self) -> Dispute:
        queryset = (
            self.visible(Dispute)
            .annotate_done_late()
            .select_related("grid__area__station", "household", "reported_by", "visit")
        )
        return get_object_or_404(
            queryset.prefetch_related(
                "parties",
                Prefetch(
                    "events",
                    queryset=DisputeEvent.objects.select_related("by").order_by(
                        "at", "pk"
                    ),
                ),
                "return_visits",
            ),
            pk=self.kwargs["pk"],
        )

    def may_act(self) -> bool:
        return self.scope.person_id is not None and Dispute.objects.may_write(
            self.scope
        )

    def get_context_data(self, *, dispute=None, bound_form=None, **kwargs):
        dispute = dispute or self.get_object()
        actions = workflow.allowed_actions(dispute) if self.may_act() else ()
        forms = {action: action_form(action, dispute) for action in actions}
        refusal = None
        if bound_form is not None:
            forms[bound_form.prefix] = bound_form
            if bound_form.prefix not in actions:
                # The refused action has no form on the page to carry its
                # errors: show them above the actions that are offered.
                refusal = bound_form.non_field_errors()
        parties = [
            {
                "name": party.name,
                "resident": party.resident_id,
                "phone": shown_phone(self.scope, dispute.grid_id, party.phone),
            }
            for party in dispute.parties.all()
        ]
        agreement = getattr(dispute, "agreement", None) if dispute.resolved_at else None
        return super().get_context_data(
            dispute=dispute,
            parties=parties,
            agreement=agreement,
            overdue=Dispute.objects.overdue().filter(pk=dispute.pk).exists(),
            actions=[(action, forms[action]) for action in actions],
            refusal=refusal,
            now=timezone.now(),
            **kwargs,
        )

    def done_message(self, action: str, dispute: Dispute) -> str:
        if action == "accept":
            dispute.refresh_from_db(fields=["mediation_due"])
            due = timezone.localtime(dispute.mediation_due)
            return ACTION_DONE[action].format(due=due)
        return str(ACTION_DONE[action])


class AgreementPdfView(StaffPageMixin, View):
    """The signed agreement as a printable PDF (矛盾纠纷调解协议书)."""

    def get(self, request, pk):
        agreement = get_object_or_404(
            self.visible(Agreement).select_related(
                "dispute__grid__area__station__bureau", "dispute__household"
            ),
            dispute_id=pk,
        )
        response = HttpResponse(
            agreement_pdf(agreement), content_type="application/pdf"
        )
        response["Content-Disposition"] = (
            f'inline; filename="agreement-{agreement.number}.pdf"'
        )
        return response


class DisputeReportView(FieldPageMixin, TemplateView):
    """The phone form: report a dispute found in one's grid, or on a visit."""

    template_name = "disputes/report_form.html"

    def get_visit(self):
        visit_id = self.request.GET.get("visit") or self.request.POST.get("visit")
        if not visit_id:
            return None
        visits = self.territory(Visit).select_related("household")
        visit = visits.filter(pk=visit_id if str(visit_id).isdigit() else None).first()
        if visit is None:
            raise Http404
        return visit

    def get_context_data(self, *, form=None, parties=None, **kwargs):
        user = self.request.user
        visit = self.get_visit()
        if form is None:
            initial = {}
            if visit is not None:
                initial = {
                    "grid": visit.grid_id,
                    "household": f"{visit.household.address} #{visit.household_id}",
                }
            form = ReportForm(user=user, initial=initial)
            grids = form.fields["grid"].queryset
            if "grid" not in initial and len(grids) == 1:
                form.initial["grid"] = grids[0].pk
        return super().get_context_data(
            form=form,
            parties=parties or PartyFormSet(prefix="parties"),
            visit=visit,
            households=self.territory(Household).order_by("address")[:500],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        form = ReportForm(request.POST, user=request.user)
        parties = PartyFormSet(request.POST, prefix="parties")
        if form.is_valid() and parties.is_valid():
            try:
                dispute = workflow.report(
                    **form.cleaned_data,
                    visit=self.get_visit(),
                    parties=parties.parties(),
                    by=Person.objects.get(pk=self.scope.person_id),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The dispute is reported."))
                return redirect(dispute)
        context = self.get_context_data(form=form, parties=parties)
        return self.render_to_response(context, status=400)


def _colour_shares(by_colour: dict[str, int]) -> list[dict]:
    """The month's disputes by colour, as widths of one stacked bar."""
    total = sum(by_colour.values())
    return [
        {
            "colour": colour,
            "label": label,
            "count": by_colour[colour],
            "percent": round(100 * by_colour[colour] / total, 1) if total else 0,
        }
        for colour, label in Colour.choices
    ]
