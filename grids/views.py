"""The grid's page: its staff and their week, households, recent work."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from grids import reveal
from grids.forms import RevealForm
from policing.phones import mask_phone
from policing.views import StaffPageMixin


class ResidentRevealView(StaffPageMixin, TemplateView):
    """Ask for a reason, then show one resident's full national ID once (G-AD6).

    The same rules as the API's reveal action: a chief or bureau staff, the
    resident in scope (else 404), the daily limit, every reveal recorded.
    """

    template_name = "grids/reveal.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not reveal.may_reveal(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        resident = get_object_or_404(
            reveal.revealable(self.request.user).select_related("household"),
            pk=self.kwargs["pk"],
        )
        kwargs.setdefault("form", RevealForm())
        return super().get_context_data(
            resident=resident,
            masked_phone=mask_phone(resident.phone),
            reveal_limit=reveal.REVEALS_PER_DAY,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        context = self.get_context_data(form=RevealForm(request.POST))
        form, resident = context["form"], context["resident"]
        if form.is_valid():
            try:
                context["number"] = reveal.reveal_number(
                    resident,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    request_id=getattr(request, "request_id", ""),
                    client=reveal.client_address(request),
                )
            except reveal.RevealLimitReached as limit:
                form.add_error(None, str(limit))
                return self.render_to_response(context, status=429)
        return self.render_to_response(context)
