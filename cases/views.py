"""Case pages for officers and chiefs: the list, a case, opening one, the receipt."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.generic import TemplateView

from cases import tracking, workflow
from cases.filtersets import CaseFilterSet
from cases.forms import CaseForm, PartyFormSet, action_form
from cases.models import Case, CaseEvent, Category, Kind, Status
from grids.models import Grid
from policing.forms import add_errors
from policing.phones import shown_phone
from policing.views import StaffPageMixin, WorkflowActionMixin
from stations.models import Person

PAGE_SIZE = 25

#: The session key of the receipts just printed: case id -> code and expiry.
RECEIPTS_SESSION_KEY = "cases:receipts"
#: How long a printed receipt's page can be reloaded (a printer jam, a
#: refresh). The clear code lives only in the issuing login's session for
#: that long; the database keeps its hash alone.
RECEIPT_SHOWN_FOR = 10 * 60
RECEIPT_GONE = _(
    "A receipt's query code is shown only right after it is printed. Print a "
    "new receipt if the parties need one; the old code then stops working."
)

ACTION_LABELS = {
    "accept": _("Accept"),
    "start_investigation": _("Start the investigation"),
    "solve": _("Solved"),
    "close": _("Close the case"),
    "drop": _("Drop the case"),
    "add_progress": _("Note progress"),
    "record_return_visit": _("Record a return visit"),
    "issue_query_code": _("Print a receipt with a new query code"),
}
#: The actions an administrative case names in its own words (调查, 查处).
ADMINISTRATIVE_ACTION_LABELS = {
    "start_investigation": pgettext_lazy(
        "administrative case", "Start the investigation"
    ),
    "solve": pgettext_lazy("administrative case", "Solved"),
}
ADMINISTRATIVE_ACTION_DONE = {
    "start_investigation": pgettext_lazy(
        "administrative case", "The investigation has started."
    ),
    "solve": pgettext_lazy("administrative case", "The case is solved."),
}
ACTION_DONE = {
    "accept": _("The case is accepted."),
    "start_investigation": _("The investigation has started."),
    "solve": _("The case is solved."),
    "close": _("The case is closed."),
    "drop": _("The case is dropped."),
    "add_progress": _("The note is added."),
    "record_return_visit": _("The return visit is recorded."),
}


class CasePageMixin(StaffPageMixin):
    """Case pages: the requester may act when the role writes cases."""

    def may_act(self) -> bool:
        return self.scope.person_id is not None and Case.objects.may_write(self.scope)


class CaseListView(CasePageMixin, TemplateView):
    """The cases of the requester's territory, filtered and paginated."""

    template_name = "cases/list.html"

    def get_context_data(self, **kwargs):
        visible = self.visible(Case).select_related("grid", "officer")
        filterset = CaseFilterSet(self.request.GET or None, queryset=visible)
        cases = filterset.qs if filterset.is_bound else visible
        if filterset.is_bound and not filterset.is_valid():
            cases = visible.none()
        page = Paginator(cases, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page=page,
            filterset=filterset,
            # Field staff read the station's grids but only their own grids'
            # cases: offering another grid would select it for an empty list,
            # unlike a grid that does not exist (G-AC2).
            grids=self.territory(Grid).order_by("code"),
            statuses=Status.choices,
            kinds=Kind.choices,
            categories=Category.choices,
            may_open=self.may_act(),
            sees_cases=Case.objects.may_write(self.scope),
            **kwargs,
        )


class CaseDetailView(WorkflowActionMixin, CasePageMixin, TemplateView):
    """One case: parties, timeline (public and internal), actions its state allows."""

    template_name = "cases/detail.html"
    workflow = workflow
    context_object_name = "case"
    action_form = staticmethod(action_form)
    done_messages = ACTION_DONE

    def get_object(self) -> Case:
        queryset = (
            self.visible(Case)
            .select_related("grid__area__station", "officer", "reported_by")
            .prefetch_related(
                "parties",
                Prefetch(
                    "events",
                    queryset=CaseEvent.objects.select_related("by").order_by(
                        "at", "pk"
                    ),
                ),
                "return_visits__party",
                "ratings__party",
            )
        )
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get_context_data(self, *, case=None, bound_form=None, **kwargs):
        case = case or self.get_object()
        actions = workflow.allowed_actions(case) if self.may_act() else ()
        forms = {action: action_form(action, case) for action in actions}
        if bound_form is not None:
            forms[bound_form.prefix] = bound_form
        parties = [
            {
                "name": party.name,
                "role": party.get_role_display(),
                "phone": shown_phone(self.scope, case.grid_id, party.phone),
            }
            for party in case.parties.all()
        ]
        return super().get_context_data(
            case=case,
            parties=parties,
            actions=[
                (action, self.action_label(case, action), forms[action])
                for action in actions
            ],
            **kwargs,
        )

    @staticmethod
    def action_label(case: Case, action: str) -> str:
        if case.kind == Kind.ADMINISTRATIVE and action in ADMINISTRATIVE_ACTION_LABELS:
            return ADMINISTRATIVE_ACTION_LABELS[action]
        return ACTION_LABELS[action]

    def done_message(self, action: str, case: Case) -> str:
        if case.kind == Kind.ADMINISTRATIVE and action in ADMINISTRATIVE_ACTION_DONE:
            return str(ADMINISTRATIVE_ACTION_DONE[action])
        return super().done_message(action, case)

    def action_done(self, action: str, case: Case, result):
        """A new code goes to the receipt page; other actions back to the case.

        POST-redirect-GET: reloading the receipt shows the same code again
        instead of issuing another one that silently cancels the printed one.
        """
        if action == "issue_query_code":
            receipts = self.request.session.get(RECEIPTS_SESSION_KEY, {})
            now = timezone.now().timestamp()
            receipts = {pk: held for pk, held in receipts.items() if held[1] > now}
            receipts[str(case.pk)] = (result, now + RECEIPT_SHOWN_FOR)
            self.request.session[RECEIPTS_SESSION_KEY] = receipts
            return redirect("cases:receipt", pk=case.pk)
        return super().action_done(action, case, result)


class CaseReceiptView(CasePageMixin, TemplateView):
    """The printable receipt of a code just issued: the only place it is shown."""

    template_name = "cases/receipt.html"

    def get(self, request, *args, **kwargs):
        case = get_object_or_404(
            self.visible(Case).select_related("grid__area__station__bureau", "officer"),
            pk=kwargs["pk"],
        )
        held = request.session.get(RECEIPTS_SESSION_KEY, {}).get(str(case.pk))
        if held is None or held[1] <= timezone.now().timestamp():
            messages.info(request, RECEIPT_GONE)
            return redirect(case)
        response = self.render_to_response(
            self.get_context_data(
                case=case,
                code=tracking.display(held[0]),
                track_url=settings.SITE_URL + reverse("track:query"),
            )
        )
        response["Cache-Control"] = "no-store"
        return response


class CaseCreateView(CasePageMixin, TemplateView):
    """Open a case in one of the requester's grids, with its parties."""

    template_name = "cases/form.html"

    def get(self, request, *args, **kwargs):
        if not self.may_act():
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, *, form=None, parties=None, **kwargs):
        return super().get_context_data(
            form=form or CaseForm(user=self.request.user),
            parties=parties or PartyFormSet(prefix="parties"),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        if not self.may_act():
            raise PermissionDenied
        form = CaseForm(request.POST, user=request.user)
        parties = PartyFormSet(request.POST, prefix="parties")
        if form.is_valid() and parties.is_valid():
            try:
                case = workflow.open_case(
                    **form.cleaned_data,
                    parties=parties.parties(),
                    by=Person.objects.get(pk=self.scope.person_id),
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The case is opened: {number}.").format(number=case.number),
                )
                return redirect(case)
        context = self.get_context_data(form=form, parties=parties)
        return self.render_to_response(context, status=400)
