"""Project-wide pages: the home page and the base classes of every HTML view."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.templatetags.static import static
from django.views.generic import TemplateView

from policing.forms import add_errors
from policing.scope import Role, get_staff_model, scope_of


class ScopedReadsMixin:
    """The one way a page or an API view reads rows: through the requester's scope.

    SPEC §6 in three calls, the way NetBox's views ``restrict()`` every
    queryset to the user before touching it:

    * ``visible(rows)``: what the requester may read;
    * ``territory(rows)``: what lies in the territory they work in (their
      grids, station or bureau), which is also what they may point at;
    * ``visible_or_404(rows, pk)``: one row, or the 404 of an id that does
      not exist, so an id outside the scope looks exactly like no id. It is
      the answer for an id given in a query parameter too (DRF turns the
      ``Http404`` into its own 404).

    ``rows`` is a model or a queryset of a model with a ``ScopedQuerySet``.
    Views never call ``visible_to`` or ``in_scope_of`` themselves.
    """

    def visible(self, rows) -> models.QuerySet:
        return _all(rows).visible_to(self.request.user)

    def territory(self, rows) -> models.QuerySet:
        return _all(rows).in_scope_of(self.request.user)

    def visible_or_404(self, rows, pk, *, territory: bool = False) -> models.Model:
        scoped = self.territory(rows) if territory else self.visible(rows)
        return get_object_or_404(scoped, pk=_row_id(pk))

    def require_visible(self, rows, pk, *, territory: bool = False) -> None:
        """Refuse with 404 unless row ``pk`` is in scope (a filter's id)."""
        scoped = self.territory(rows) if territory else self.visible(rows)
        if not scoped.filter(pk=_row_id(pk)).exists():
            raise Http404


#: the largest primary key a database column holds (a 64-bit integer)
MAX_ROW_ID = 2**63 - 1


def _all(rows) -> models.QuerySet:
    return rows if isinstance(rows, models.QuerySet) else rows._default_manager.all()


def _row_id(value) -> int:
    """Return ``value`` as a row id, or 404 for what can be no row's id."""
    text = str(value)
    if not (text.isascii() and text.isdigit()) or int(text) > MAX_ROW_ID:
        raise Http404
    return int(text)


class StaffPageMixin(ScopedReadsMixin, LoginRequiredMixin):
    """A page for logins that belong to a member of staff (SPEC §6).

    ``self.scope`` is the requester's scope; the page reads rows through
    :class:`ScopedReadsMixin`.
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


class RolePageMixin(StaffPageMixin):
    """A page for some roles only: anyone else gets 404, as for the same
    figures in the API."""

    roles: frozenset[Role] = frozenset()

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and scope_of(request.user).role not in self.roles
        ):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class StationPageMixin(RolePageMixin):
    """A page about a whole station: its chief, bureau staff and superusers."""

    roles = frozenset({Role.CHIEF, Role.BUREAU, Role.SUPERUSER})


class BureauPageMixin(RolePageMixin):
    """A page of the bureau's own (SPEC §1): bureau staff and superusers."""

    roles = frozenset({Role.BUREAU, Role.SUPERUSER})


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


def favicon(request):
    """The icon browsers ask for on pages that name none (the admin, a receipt)."""
    return redirect(static("favicon.ico"), permanent=True)
