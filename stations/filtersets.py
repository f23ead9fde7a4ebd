import django_filters
from django.utils.translation import gettext_lazy as _

from policing.filtersets import MAX_ID, SearchFilterSet, id_filter
from stations.models import Assignment, Bureau, Person, Post, Station


class BureauFilterSet(SearchFilterSet):
    search_fields = ("name", "code")

    class Meta:
        model = Bureau
        fields = ["code"]


class StationFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    bureau = id_filter("bureau", _("bureau"))

    class Meta:
        model = Station
        fields = ["code"]


class PostFilterSet(SearchFilterSet):
    search_fields = ("name",)
    station = id_filter("station", _("station"))
    area = id_filter("serves", _("area"))

    class Meta:
        model = Post
        fields = ["kind"]


class PersonFilterSet(SearchFilterSet):
    search_fields = ("name", "badge_number")
    bureau = id_filter("bureau", _("bureau"))
    station = id_filter("station", _("station"))
    grid = django_filters.NumberFilter(
        field_name="assignments__grid",
        label=_("grid"),
        min_value=1,
        max_value=MAX_ID,  # a larger id overflows SQLite's driver (issue 27)
        distinct=True,
    )

    class Meta:
        model = Person
        fields = ["kind", "is_chief"]


class AssignmentFilterSet(SearchFilterSet):
    search_fields = ("person__name",)
    person = id_filter("person", _("person"))
    grid = id_filter("grid", _("grid"))
    post = id_filter("post", _("post"))
    station = id_filter("person__station", _("station"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("current"))

    class Meta:
        model = Assignment
        fields = ["role"]

    def filter_current(self, queryset, name, value):
        current = Assignment.objects.current()
        if value:
            return queryset.filter(pk__in=current.values("pk"))
        return queryset.exclude(pk__in=current.values("pk"))
