from django.contrib import admin

from policing.admin import MapAdmin
from stations.models import Assignment, Bureau, Person, Post, Station


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


@admin.register(Station)
class StationAdmin(MapAdmin):
    list_display = ["name", "code", "bureau"]
    list_filter = ["bureau"]
    search_fields = ["name", "code"]
    map_fields = {"location": "Point"}


@admin.register(Post)
class PostAdmin(MapAdmin):
    list_display = ["name", "kind", "station"]
    list_filter = ["kind", "station"]
    search_fields = ["name"]
    filter_horizontal = ["serves"]
    map_fields = {"location": "Point"}


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["grid", "post"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "station", "is_chief", "badge_number", "user"]
    list_filter = ["kind", "is_chief", "station"]
    search_fields = ["name", "badge_number"]
    autocomplete_fields = ["user"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["person", "grid", "post", "role", "start", "end"]
    list_filter = ["role", "person__station"]
    search_fields = ["person__name", "grid__code", "post__name"]
    autocomplete_fields = ["person", "grid", "post"]
    date_hierarchy = "start"
