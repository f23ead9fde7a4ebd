"""Case pages for officers and chiefs: the list, a case, opening one, the receipt."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
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
                (action, ACTION_LABELS[action], forms[action]) for action in actions
            ],
            **kwargs,
        )

    def action_done(self, action: str, case: Case, result):
        """The receipt is shown right away; other actions go back to the case."""
        if action == "issue_query_code":
            return self.receipt(case, code=result)
        return super().action_done(action, case, result)

    def receipt(self, case: Case, *, code: str):
        """The printable receipt: the only time the query code is shown."""
        # The workflow stored the code on a locked copy: read back its hash
        # (has_query_code); nothing else it changed is on the receipt.
        case.refresh_from_db(fields=["query_code_hash"])
        response = self.response_class(
            request=self.request,
            template=["cases/receipt.html"],
            context={
                "case": case,
                "code": tracking.display(code),
                "track_url": settings.SITE_URL + reverse("track:query"),
            },
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
