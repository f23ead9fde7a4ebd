import django_filters
from django.utils.translation import gettext_lazy as _

from policing.filtersets import BoundedIsoDateTimeFilter, SearchFilterSet, id_filter
from visits.models import Inspection, Patrol, Service, Venue, Visit


def after(field_name: str, label) -> BoundedIsoDateTimeFilter:
    """Return a filter on ``field_name`` at or after a time (inclusive)."""
    return BoundedIsoDateTimeFilter(
        field_name=field_name, lookup_expr="gte", label=label
    )


def before(field_name: str, label) -> BoundedIsoDateTimeFilter:
    """Return a filter on ``field_name`` before a time (exclusive)."""
    return BoundedIsoDateTimeFilter(
        field_name=field_name, lookup_expr="lt", label=label
    )


class VisitFilterSet(SearchFilterSet):
    search_fields = ("household__address", "person__name")
    person = id_filter("person", _("person"))
    household = id_filter("household", _("household"))
    grid = id_filter("grid", _("grid"))
    station = id_filter("grid__area__station", _("station"))
    visited_after = after("visited_at", _("visited at or after"))
    visited_before = before("visited_at", _("visited before"))

    class Meta:
        model = Visit
        fields = ["kind"]


class PatrolFilterSet(SearchFilterSet):
    search_fields = ("grid__name", "person__name")
    person = id_filter("person", _("person"))
    grid = id_filter("grid", _("grid"))
    station = id_filter("grid__area__station", _("station"))
    running = django_filters.BooleanFilter(
        field_name="ended_at", lookup_expr="isnull", label=_("running")
    )
    started_after = after("started_at", _("started at or after"))
    started_before = before("started_at", _("started before"))

    class Meta:
        model = Patrol
        fields: list[str] = []


class VenueFilterSet(SearchFilterSet):
    search_fields = ("name", "address")
    grid = id_filter("grid", _("grid"))
    station = id_filter("grid__area__station", _("station"))

    class Meta:
        model = Venue
        fields = ["kind"]


class InspectionFilterSet(SearchFilterSet):
    search_fields = ("venue__name", "person__name")
    person = id_filter("person", _("person"))
    venue = id_filter("venue", _("venue"))
    grid = id_filter("venue__grid", _("grid"))
    station = id_filter("venue__grid__area__station", _("station"))

    class Meta:
        model = Inspection
        fields = ["kind"]


class ServiceFilterSet(SearchFilterSet):
    search_fields = ("household__address", "person__name")
    person = id_filter("person", _("person"))
    grid = id_filter("grid", _("grid"))
    station = id_filter("grid__area__station", _("station"))

    class Meta:
        model = Service
        fields = ["kind"]
