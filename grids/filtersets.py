import django_filters
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext_lazy as _

from grids.models import Area, Grid, Household, Resident
from policing.filtersets import SearchFilterSet, id_filter


class AreaFilterSet(SearchFilterSet):
    search_fields = ("name",)
    station = id_filter("station", _("station"))

    class Meta:
        model = Area
        fields = ["kind"]


class GridFilterSet(SearchFilterSet):
    search_fields = ("name", "code")
    area = id_filter("area", _("area"))
    station = id_filter("area__station", _("station"))

    class Meta:
        model = Grid
        fields = ["code", "complexity"]


class HouseholdFilterSet(SearchFilterSet):
    """Officers find a household by a piece of its address or a resident's name.

    A household found by a resident's name carries that resident
    (``matched_resident_id``, ``matched_resident_name``), so the typeahead
    can say whom it found. ``EXISTS`` rather than a join: no row repeated
    per resident, so no ``DISTINCT`` over the whole page.
    """

    grid = id_filter("grid", _("grid"))
    area = id_filter("grid__area", _("area"))
    station = id_filter("grid__area__station", _("station"))

    class Meta:
        model = Household
        fields: list[str] = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        named = Resident.objects.filter(
            household=OuterRef("pk"), name__icontains=value
        ).order_by("name", "pk")
        return queryset.filter(Q(address__icontains=value) | Exists(named)).annotate(
            matched_resident_id=Subquery(named.values("pk")[:1]),
            matched_resident_name=Subquery(named.values("name")[:1]),
        )


class ResidentFilterSet(SearchFilterSet):
    search_fields = ("name", "household__address")
    household = id_filter("household", _("household"))
    grid = id_filter("household__grid", _("grid"))
    station = id_filter("household__grid__area__station", _("station"))
    key_person_category = django_filters.ChoiceFilter(
        choices=Resident.KeyPersonCategory.choices, label=_("key-person category")
    )

    class Meta:
        model = Resident
        fields = ["is_key_person"]
