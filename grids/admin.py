from django.contrib import admin

from grids import services
from grids.forms import ResidentForm
from grids.models import Area, Grid, Household, Resident
from policing.admin import ScopedModelAdmin, related_only


@admin.register(Area)
class AreaAdmin(ScopedModelAdmin):
    list_display = ["name", "kind", "station"]
    list_filter = ["kind", related_only("station")]
    search_fields = ["name"]
    map_fields = {"boundary": "Polygon"}


@admin.register(Grid)
class GridAdmin(ScopedModelAdmin):
    list_display = ["code", "name", "area", "population", "complexity"]
    list_filter = ["complexity", related_only("area__station")]
    search_fields = ["code", "name"]
    autocomplete_fields = ["area"]
    map_fields = {"boundary": "Polygon"}

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "boundary" in form.changed_data:
            services.schedule_relocation(obj)


@admin.register(Household)
class HouseholdAdmin(ScopedModelAdmin):
    list_display = ["address", "grid", "member_count"]
    list_filter = [related_only("grid__area__station")]
    search_fields = ["address"]
    autocomplete_fields = ["grid"]
    map_fields = {"location": "Point"}
    list_select_related = ["grid"]


@admin.register(Resident)
class ResidentAdmin(ScopedModelAdmin):
    form = ResidentForm
    list_display = ["name", "id_number_masked", "household", "is_key_person"]
    list_filter = ["is_key_person", "key_person_category"]
    search_fields = ["name", "household__address"]
    autocomplete_fields = ["household"]
    readonly_fields = ["id_number_masked"]
    list_select_related = ["household"]
