from django.contrib import admin

from policing.admin import ScopedModelAdmin, related_only
from visits.models import Inspection, Patrol, Service, Venue, Visit


@admin.register(Visit)
class VisitAdmin(ScopedModelAdmin):
    list_display = ["visited_at", "person", "household", "kind", "info_items"]
    list_filter = ["kind", related_only("grid__area__station")]
    search_fields = ["household__address", "person__name"]
    autocomplete_fields = ["person", "household", "resident"]
    date_hierarchy = "visited_at"
    list_select_related = ["person", "household"]
    map_fields = {"location": "Point"}


@admin.register(Patrol)
class PatrolAdmin(ScopedModelAdmin):
    list_display = ["started_at", "ended_at", "person", "grid"]
    list_filter = [related_only("grid__area__station")]
    search_fields = ["person__name", "grid__code"]
    autocomplete_fields = ["person", "grid"]
    date_hierarchy = "started_at"
    list_select_related = ["person", "grid"]


@admin.register(Venue)
class VenueAdmin(ScopedModelAdmin):
    list_display = ["name", "kind", "grid"]
    list_filter = ["kind", related_only("grid__area__station")]
    search_fields = ["name", "address"]
    autocomplete_fields = ["grid"]
    map_fields = {"location": "Point"}
    list_select_related = ["grid"]


@admin.register(Inspection)
class InspectionAdmin(ScopedModelAdmin):
    list_display = ["inspected_at", "venue", "kind", "hazards_found", "hazards_removed"]
    list_filter = ["kind", related_only("venue__grid__area__station")]
    search_fields = ["venue__name", "person__name"]
    autocomplete_fields = ["person", "venue"]
    date_hierarchy = "inspected_at"
    list_select_related = ["venue"]


@admin.register(Service)
class ServiceAdmin(ScopedModelAdmin):
    list_display = ["served_at", "kind", "quantity", "person", "grid"]
    list_filter = ["kind", related_only("grid__area__station")]
    search_fields = ["person__name", "notes"]
    autocomplete_fields = ["person", "grid", "household"]
    date_hierarchy = "served_at"
    list_select_related = ["person", "grid"]
