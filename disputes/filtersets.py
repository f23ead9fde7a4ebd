import django_filters
from django.utils.translation import gettext_lazy as _

from disputes.models import Dispute
from policing.filtersets import SearchFilterSet, id_filter


class DisputeFilterSet(SearchFilterSet):
    search_fields = ("summary", "parties__name")
    grid = id_filter("grid", _("grid"))
    station = id_filter("grid__area__station", _("station"))
    overdue = django_filters.BooleanFilter(method="filter_overdue", label=_("overdue"))

    class Meta:
        model = Dispute
        fields = ["colour", "level", "status"]

    def filter_overdue(self, queryset, name, value):
        overdue = Dispute.objects.overdue().values("pk")
        if value:
            return queryset.filter(pk__in=overdue)
        return queryset.exclude(pk__in=overdue)
