"""Base filterset shared by the HTML lists and the API."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class SearchFilterSet(django_filters.FilterSet):
    """A FilterSet with a free-text ``q`` over ``search_fields`` (NetBox style).

    Foreign keys are filtered by plain numbers, not by model choices: a
    choice filter would answer "not a valid choice" for an id outside the
    user's scope and "no rows" for one inside it, telling the two apart.
    """

    search_fields: tuple[str, ...] = ()

    q = django_filters.CharFilter(method="search", label=_("Search"))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q()
        for field in self.search_fields:
            condition |= Q(**{f"{field}__icontains": value})
        queryset = queryset.filter(condition)
        # A field across a to-many relation repeats rows once per match.
        if any("__" in field for field in self.search_fields):
            queryset = queryset.distinct()
        return queryset


def id_filter(field_name: str, label) -> django_filters.NumberFilter:
    """Return a filter on a foreign key's id."""
    return django_filters.NumberFilter(field_name=field_name, label=label, min_value=1)
