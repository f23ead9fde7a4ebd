"""Project-wide pages: the home page and the base classes of every HTML view."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.views.generic import TemplateView

from stations.scoping import Role, scope_of


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


class HomeView(TemplateView):
    """Send field staff to their week; show everyone else the entry points."""

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        if scope_of(request.user).role is Role.FIELD:
            return redirect("visits:my_week")
        return super().get(request, *args, **kwargs)
