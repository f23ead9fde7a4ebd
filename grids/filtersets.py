import django_filters
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
    # Officers find a household by a piece of its address or a resident's name.
    search_fields = ("address", "residents__name")
    grid = id_filter("grid", _("grid"))
    area = id_filter("grid__area", _("area"))
    station = id_filter("grid__area__station", _("station"))

    class Meta:
        model = Household
        fields: list[str] = []


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
