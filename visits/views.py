"""The officer's phone pages: "my week", the visit form, patrols."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from assessments import metrics as quota_metrics
from grids.models import Grid, Household, Resident
from policing.periods import IsoWeek
from policing.views import FieldPageMixin
from stations.models import Person
from visits import metrics
from visits.models import Inspection, Patrol, Service, Venue, Visit


class MyWeekView(FieldPageMixin, TemplateView):
    """The officer's home: quota progress, today's work, key persons due."""

    template_name = "visits/my_week.html"

    def get_context_data(self, **kwargs):
        person = Person.objects.get(pk=self.scope.person_id)
        week = IsoWeek.current()
        today = timezone.localdate()
        (quota,) = quota_metrics.weekly_quotas(
            week=week, persons=Person.objects.filter(pk=person.pk)
        )
        residents = Resident.objects.in_scope_of(self.request.user)
        return super().get_context_data(
            person=person,
            week=week,
            quota=quota,
            progress=_progress(quota),
            todays_visits=Visit.objects.filter(person=person, visited_at__date=today)
            .select_related("household")
            .order_by("-visited_at"),
            todays_patrols=Patrol.objects.filter(person=person, started_at__date=today),
            running_patrol=Patrol.objects.filter(person=person).running().first(),
            grids=Grid.objects.in_scope_of(self.request.user),
            contacts_due=metrics.key_person_contacts_due(
                residents=residents, today=today
            ),
            **kwargs,
        )


class VisitFormView(FieldPageMixin, TemplateView):
    """The visit form: works offline, posts to the API with a client_uuid."""

    template_name = "visits/visit_form.html"

    def get_context_data(self, **kwargs):
        household = resident = None
        if household_id := self.request.GET.get("household", "").strip():
            household = (
                Household.objects.in_scope_of(self.request.user)
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


QUOTA_LABELS = {
    "household_visits": _("Households visited"),
    "info_items": _("Information items"),
    "patrol_hours": _("Patrol hours"),
    "grid_days": _("Days in the grid"),
}


class InspectionFormView(FieldPageMixin, TemplateView):
    """Record a security or fire inspection of a venue in one's grids."""

    template_name = "visits/inspection_form.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            heading=_("Log an inspection"),
            api_url=reverse("inspection-list"),
            time_field="inspected_at",
            venues=Venue.objects.in_scope_of(self.request.user).order_by("name"),
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
            grids=Grid.objects.in_scope_of(self.request.user),
            kinds=Service.Kind.choices,
            **kwargs,
        )


def _progress(quota) -> list[dict]:
    """Return the four progress bars of a quota row, in SPEC §3 order."""
    bars = []
    for name, label in QUOTA_LABELS.items():
        actual, target = getattr(quota, name), quota.targets[name]
        bars.append(
            {
                "name": name,
                "label": label,
                "actual": actual,
                "target": target,
                "met": actual >= target,
                "percent": min(100, round(100 * float(actual) / float(target))),
            }
        )
    return bars
