from django.contrib import admin

from cases.models import Case, CaseEvent, CaseParty, CaseReturnVisit, Rating
from disputes.admin import ReadOnlyInline
from policing.admin import ScopedModelAdmin, related_only


class CasePartyInline(ReadOnlyInline):
    model = CaseParty
    fields = ["role", "name", "resident", "phone"]


class CaseEventInline(ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "kind", "public", "text", "by"]


class CaseReturnVisitInline(ReadOnlyInline):
    model = CaseReturnVisit
    fields = ["visited_at", "party", "by", "outcome"]


class RatingInline(ReadOnlyInline):
    model = Rating
    fields = ["created_at", "party", "officer", "score", "comment"]


@admin.register(Case)
class CaseAdmin(ScopedModelAdmin):
    list_display = ["number", "reported_at", "grid", "kind", "category", "status"]
    list_filter = ["status", "kind", "category", related_only("grid__area__station")]
    search_fields = ["number", "summary", "parties__name"]
    autocomplete_fields = ["grid"]
    date_hierarchy = "reported_at"
    list_select_related = ["grid"]
    # Status, number and times change through the workflow only.
    readonly_fields = [
        "number",
        "kind",
        "status",
        "reported_at",
        "reported_by",
        "accepted_at",
        "solved_at",
        "closed_at",
    ]
    exclude = ["location"]
    inlines = [CasePartyInline, CaseEventInline, CaseReturnVisitInline, RatingInline]

    def has_add_permission(self, request, *args):
        # A case is opened through the workflow (API or pages).
        return False
