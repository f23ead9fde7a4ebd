"""The officer's phone pages: "my week", the visit form, patrols."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from grids.models import Grid, Household
from policing.views import FieldPageMixin
from visits.models import Inspection, Service, Venue, Visit


class VisitFormView(FieldPageMixin, TemplateView):
    """The visit form: works offline, posts to the API with a client_uuid."""

    template_name = "visits/visit_form.html"

    def get_context_data(self, **kwargs):
        household = resident = None
        if household_id := self.request.GET.get("household", "").strip():
            household = (
                self.territory(Household)
                .filter(pk=household_id if household_id.isdigit() else None)
                .first()
            )
        if household and (resident_id := self.request.GET.get("resident", "").strip()):
            resident = household.residents.filter(
                pk=resident_id if resident_id.isdigit() else None
            ).first()
        kind = self.request.GET.get("kind", Visit.Kind.ROUTINE)
        return super().get_context_data(
            kinds=Visit.Kind.choices,
            kind=kind if kind in Visit.Kind.values else Visit.Kind.ROUTINE,
            household=household,
            resident=resident,
            **kwargs,
        )


class InspectionFormView(FieldPageMixin, TemplateView):
    """Record a security or fire inspection of a venue in one's grids."""

    template_name = "visits/inspection_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=_("Log an inspection"),
            api_url=reverse("inspection-list"),
            time_field="inspected_at",
            venues=self.territory(Venue).order_by("name"),
            kinds=Inspection.Kind.choices,
            **kwargs,
        )


class ServiceFormView(FieldPageMixin, TemplateView):
    """Record a service to residents in one of one's grids."""

    template_name = "visits/service_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=_("Log a service"),
            api_url=reverse("service-list"),
            time_field="served_at",
            grids=self.territory(Grid),
            kinds=Service.Kind.choices,
            **kwargs,
        )
