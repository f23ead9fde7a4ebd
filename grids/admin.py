from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from grids import services
from grids.forms import ResidentForm
from grids.models import Area, Grid, Household, IdReveal, Resident
from policing.admin import ScopedModelAdmin, related_only
from policing.phones import mask_phone, sees_phones
from policing.scope import scope_of


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
    readonly_fields = ["id_number_masked", "full_id_number"]
    list_select_related = ["household"]

    def phone_masked(self, request, resident) -> bool:
        """The phone rule of every output (issue 27, item 4): a resident's
        phone is shown in full only to their grid's field staff."""
        if resident is None or resident.pk is None:
            return False  # a new resident: the phone is being written
        return not sees_phones(scope_of(request.user), resident.household.grid_id)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if self.phone_masked(request, obj):
            fields.remove("masked_phone")  # shown where the phone was
            fields[fields.index("phone")] = "masked_phone"
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self.phone_masked(request, obj):
            readonly.append("masked_phone")
        return readonly

    @admin.display(description=_("phone"))
    def masked_phone(self, resident):
        return mask_phone(resident.phone) or "-"

    @admin.display(description=_("full national ID"))
    def full_id_number(self, resident):
        # The number itself never reaches the admin: a link to the audited
        # reveal page, which refuses the roles that may not use it (G-AD6).
        if resident.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("grids:resident_reveal", args=[resident.pk]),
            _("Show, with a reason"),
        )


@admin.register(IdReveal)
class IdRevealAdmin(admin.ModelAdmin):
    """The reveals, for superusers to read: append-only (G-AD6)."""

    list_display = ["revealed_at", "revealed_by_id", "resident_id", "reason"]
    list_filter = ["revealed_at"]
    search_fields = ["reason", "request_id"]
    fields = [*list_display, "request_id", "client"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
