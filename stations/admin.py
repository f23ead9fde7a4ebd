from django.contrib import admin

from policing.admin import ScopedModelAdmin, ScopedTabularInline, related_only
from stations.models import Assignment, Bureau, Person, Post, Station
from stations.scoping import appoints_chiefs, scope_of


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
        if request.user.is_superuser:
            return ()
        if appoints_chiefs(scope_of(request.user)):
            return ("user",)
        return ("user", "is_chief")


@admin.register(Assignment)
class AssignmentAdmin(ScopedModelAdmin):
    list_display = ["person", "grid", "post", "role", "start", "end"]
    list_filter = ["role", related_only("person__station")]
    search_fields = ["person__name", "grid__code", "post__name"]
    autocomplete_fields = ["person", "grid", "post"]
    date_hierarchy = "start"
