from django.contrib import admin

from disputes.models import (
    Agreement,
    Dispute,
    DisputeEvent,
    DisputeParty,
    DisputePolicy,
    MediationSession,
    ReturnVisit,
)
from policing.admin import ScopedModelAdmin, ScopedTabularInline, related_only


class ReadOnlyInline(ScopedTabularInline):
    """A timeline shown as it was recorded: written by the workflow only."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DisputeEventInline(ReadOnlyInline):
    model = DisputeEvent
    fields = ["at", "kind", "by", "from_value", "to_value", "reason"]


class DisputePartyInline(ReadOnlyInline):
    model = DisputeParty
    fields = ["name", "resident", "phone"]


class MediationSessionInline(ReadOnlyInline):
    model = MediationSession
    fields = ["held_at", "place", "participants", "notes"]


class AgreementInline(ReadOnlyInline):
    model = Agreement
    fields = ["number", "signed_at", "place", "terms"]


class ReturnVisitInline(ReadOnlyInline):
    model = ReturnVisit
    fields = ["visited_at", "by", "outcome", "satisfaction"]


@admin.register(Dispute)
class DisputeAdmin(ScopedModelAdmin):
    list_display = ["reported_at", "grid", "category", "colour", "level", "status"]
    list_filter = ["status", "colour", "level", related_only("grid__area__station")]
    search_fields = ["summary", "parties__name"]
    autocomplete_fields = ["grid", "household"]
    date_hierarchy = "reported_at"
    list_select_related = ["grid"]
    # Status, level and times change through the workflow only.
    readonly_fields = [
        "colour",
        "level",
        "status",
        "reported_at",
        "reported_by",
        "accepted_at",
        "resolved_at",
        "closed_at",
        "first_contact_due",
        "mediation_due",
        "return_visit_due",
    ]
    inlines = [
        DisputePartyInline,
        DisputeEventInline,
        MediationSessionInline,
        AgreementInline,
        ReturnVisitInline,
    ]

    def has_add_permission(self, request, *args):
        # A dispute is reported through the workflow (API or pages).
        return False


@admin.register(DisputePolicy)
class DisputePolicyAdmin(ScopedModelAdmin):
    list_display = [
        "bureau",
        "first_contact_hours",
        "mediation_hours",
        "return_visit_days",
    ]
