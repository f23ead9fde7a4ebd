import django_filters
from django.utils.translation import gettext_lazy as _

from cases.models import Case
from policing.filtersets import SearchFilterSet, id_filter


class CaseFilterSet(SearchFilterSet):
    search_fields = ("number", "summary", "parties__name")
    grid = id_filter("grid", _("grid"))
    station = id_filter("grid__area__station", _("station"))
    officer = id_filter("officer", _("officer in charge"))
    reported_after = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__gte", label=_("reported from")
    )
    reported_before = django_filters.DateFilter(
        field_name="reported_at", lookup_expr="date__lte", label=_("reported until")
    )

    class Meta:
        model = Case
        fields = ["kind", "category", "status"]
