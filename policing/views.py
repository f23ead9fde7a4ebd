"""Project-wide pages: the home page and the base classes of every HTML view."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.generic import TemplateView

from policing.forms import add_errors
from policing.scope import Role, get_staff_model, scope_of


class StaffPageMixin(LoginRequiredMixin):
    """A page for logins that belong to a member of staff (SPEC §6).

    ``self.scope`` is the requester's scope; querysets of the page must go
    through ``visible_to`` / ``in_scope_of`` with ``self.request.user``.
    """

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.scope = scope_of(request.user)
        if self.scope.role is Role.NONE:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class FieldPageMixin(StaffPageMixin):
    """A page about the requester's own field work: needs a staff record."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_of(request.user).person_id is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class StationPageMixin(StaffPageMixin):
    """A page about a whole station: its chief, bureau staff and superusers.

    Field staff get 404, as for the station's figures in the API.
    """

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_of(request.user).role not in (
            Role.CHIEF,
            Role.BUREAU,
            Role.SUPERUSER,
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


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


class WorkflowActionMixin:
    """A record's page that applies the workflow action its forms post.

    ``workflow`` is the app's workflow module: ``ACTION_NAMES``,
    ``allowed_actions(record)``, ``not_allowed(record)`` and a function per
    action taking the record, ``by`` and the form's data. The page gives
    ``get_object()``, ``may_act()`` and ``action_form(action, record, data)``;
    its ``get_context_data()`` takes the record under ``context_object_name``
    and the refused form as ``bound_form``. A staff page: ``self.scope`` is
    set (:class:`StaffPageMixin`).
    """

    workflow = None
    context_object_name = ""
    #: action -> the message shown once it is done
    done_messages: dict = {}

    def post(self, request, *args, **kwargs):
        """Apply one workflow action; on a refusal show the page with its errors."""
        action = request.POST.get("action", "")
        if action not in self.workflow.ACTION_NAMES:
            raise Http404
        record = self.get_object()
        if not self.may_act():
            raise PermissionDenied
        form = self.action_form(action, record, request.POST)
        if action not in self.workflow.allowed_actions(record):
            form.is_valid()
            form.add_error(None, self.workflow.not_allowed(record).messages[0])
        elif form.is_valid():
            try:
                result = getattr(self.workflow, action)(
                    record,
                    by=get_staff_model().objects.get(pk=self.scope.person_id),
                    **form.cleaned_data,
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                return self.action_done(action, record, result)
        context = self.get_context_data(
            **{self.context_object_name: record}, bound_form=form
        )
        return self.render_to_response(context, status=400)

    def action_done(self, action: str, record, result):
        """Say the action is done and go back to the record's page."""
        messages.success(self.request, self.done_message(action, record))
        return redirect(record)

    def done_message(self, action: str, record) -> str:
        return str(self.done_messages[action])


#: Where each role lands after login (issue: dashboards): its own page.
LANDING_PAGES = {
    Role.FIELD: "dashboards:my_week",
    Role.CHIEF: "dashboards:own_station",
    Role.BUREAU: "dashboards:county",
    Role.SUPERUSER: "dashboards:county",
}


class HomeView(TemplateView):
    """Send staff to their role's page; show anyone else the entry points."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        if landing := LANDING_PAGES.get(scope_of(request.user).role):
            return redirect(landing)
        return super().get(request, *args, **kwargs)
