from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from policing.admin import ScopedModelAdmin, ScopedTabularInline, related_only
from policing.phones import mask_phone, sees_staff_phone
from policing.scope import appoints_chiefs, scope_of
from stations.models import Assignment, Bureau, Person, Post, Station


@admin.register(Bureau)
class BureauAdmin(ScopedModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Station)
class StationAdmin(ScopedModelAdmin):
    list_display = ["name", "code", "bureau"]
    list_filter = [related_only("bureau")]
    search_fields = ["name", "code"]
    map_fields = {"location": "Point"}


@admin.register(Post)
class PostAdmin(ScopedModelAdmin):
    list_display = ["name", "kind", "station"]
    list_filter = ["kind", related_only("station")]
    search_fields = ["name"]
    filter_horizontal = ["serves"]
    map_fields = {"location": "Point"}


class AssignmentInline(ScopedTabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["grid", "post"]


@admin.register(Person)
class PersonAdmin(ScopedModelAdmin):
    list_display = ["name", "kind", "station", "is_chief", "badge_number", "user"]
    list_filter = ["kind", "is_chief", related_only("station")]
    search_fields = ["name", "badge_number"]
    autocomplete_fields = ["user"]
    inlines = [AssignmentInline]

    def get_readonly_fields(self, request, obj=None):
        # Linking a login hands over a scope: administrators only. Making a
        # chief hands over the station: bureau staff and administrators.
        masked = ("masked_phone",) if self.phone_masked(request, obj) else ()
        if request.user.is_superuser:
            return masked
        if appoints_chiefs(scope_of(request.user)):
            return ("user", *masked)
        return ("user", "is_chief", *masked)

    def phone_masked(self, request, person) -> bool:
        """Staff phones follow the rule of every output (issue 27, item 4)."""
        if person is None or person.pk is None:
            return False
        scope = scope_of(request.user)
        colleagues = set(
            Assignment.objects.current()
            .filter(grid__in=scope.grid_ids)
            .values_list("person_id", flat=True)
        )
        return not sees_staff_phone(scope, person.pk, colleagues)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if "masked_phone" in fields:
            fields.remove("masked_phone")  # shown where the phone was
            fields[fields.index("phone")] = "masked_phone"
        return fields

    @admin.display(description=_("phone"))
    def masked_phone(self, person):
        return mask_phone(person.phone) or "-"


@admin.register(Assignment)
class AssignmentAdmin(ScopedModelAdmin):
    list_display = ["person", "grid", "post", "role", "start", "end"]
    list_filter = ["role", related_only("person__station")]
    search_fields = ["person__name", "grid__code", "post__name"]
    autocomplete_fields = ["person", "grid", "post"]
    date_hierarchy = "start"
