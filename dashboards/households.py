"""A household's page and a resident's page: what is known at an address.

Composed from every app (grids' households and residents, visits, disputes,
cases), so they live at the top of the layers. Phones follow the one rule of
``policing.phones``; national IDs are only ever shown masked here (the clear
number is reached through the audited reveal).
"""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from cases.models import Case
from disputes.models import Dispute
from grids.models import Household, Resident
from policing.phones import shown_phone
from policing.views import StaffPageMixin
from visits.metrics import key_person_contacts_due
from visits.models import Visit

#: the visits listed on a page, newest first
VISITS_SHOWN = 30


class HouseholdDetailView(StaffPageMixin, TemplateView):
    """A household: its members, the visits, disputes and cases at the address."""

    template_name = "dashboards/household.html"

    def get_context_data(self, **kwargs):
        household = get_object_or_404(
            self.visible(Household).select_related("grid__area__station"),
            pk=self.kwargs["pk"],
        )
        residents = list(household.residents.order_by("-is_key_person", "name"))
        members = [
            {
                "resident": resident,
                "phone": shown_phone(self.scope, household.grid_id, resident.phone),
            }
            for resident in residents
        ]
        return super().get_context_data(
            household=household,
            members=members,
            visits=self.visible(Visit)
            .filter(household=household)
            .select_related("person", "resident")[:VISITS_SHOWN],
            disputes=self.visible(Dispute)
            .filter(Q(household=household) | Q(parties__resident__household=household))
            .distinct()
            .order_by("-reported_at"),
            cases=self.visible(Case)
            .filter(parties__resident__household=household)
            .distinct()
            .order_by("-reported_at"),
            contacts_due=key_person_contacts_due(
                residents=self.visible(Resident).filter(household=household),
                today=timezone.localdate(),
            ),
            **kwargs,
        )


class ResidentDetailView(StaffPageMixin, TemplateView):
    """A resident: the household, the contacts with them, and what is due."""

    template_name = "dashboards/resident.html"

    def get_context_data(self, **kwargs):
        resident = get_object_or_404(
            self.visible(Resident).select_related("household__grid"),
            pk=self.kwargs["pk"],
        )
        return super().get_context_data(
            resident=resident,
            phone=shown_phone(self.scope, resident.household.grid_id, resident.phone),
            contacts=self.visible(Visit)
            .filter(resident=resident)
            .select_related("person")[:VISITS_SHOWN],
            contacts_due=key_person_contacts_due(
                residents=self.visible(Resident).filter(pk=resident.pk),
                today=timezone.localdate(),
            ),
            disputes=self.visible(Dispute)
            .filter(parties__resident=resident)
            .distinct()
            .order_by("-reported_at"),
            cases=self.visible(Case)
            .filter(parties__resident=resident)
            .distinct()
            .order_by("-reported_at"),
            **kwargs,
        )
