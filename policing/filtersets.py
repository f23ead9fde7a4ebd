"""Base filterset shared by the HTML lists and the API."""

import datetime

import django_filters
from django.core.exceptions import ValidationError
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


#: The largest id a database column holds (a signed 64-bit integer); a
#: larger number would overflow SQLite's driver instead of matching nothing.
MAX_ID = 2**63 - 1

#: Times outside these years cannot be converted between time zones.
FIRST_YEAR, LAST_YEAR = 1900, 9998
TIME_OUT_OF_RANGE = _("Give a time from {first} to {last}.")
#: The time zone offsets in use on Earth (UTC-12:00 to UTC+14:00). PostgreSQL
#: refuses an offset of 16 hours or more with an error (issue 27, item 8).
OFFSET_RANGE = (datetime.timedelta(hours=-12), datetime.timedelta(hours=14))
OFFSET_OUT_OF_RANGE = _("Give a time zone offset from -12:00 to +14:00.")


def id_filter(field_name: str, label) -> django_filters.NumberFilter:
    """Return a filter on a foreign key's id."""
    return django_filters.NumberFilter(
        field_name=field_name, label=label, min_value=1, max_value=MAX_ID
    )


class BoundedIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 time whose year converts to UTC and back without overflow."""

    def clean(self, value):
        value = super().clean(value)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise ValidationError(
                TIME_OUT_OF_RANGE.format(first=FIRST_YEAR, last=LAST_YEAR),
                code="invalid",
            )
        if value is not None and value.utcoffset() is not None:
            low, high = OFFSET_RANGE
            if not low <= value.utcoffset() <= high:
                raise ValidationError(OFFSET_OUT_OF_RANGE, code="invalid")
            value = value.astimezone(datetime.UTC)
        return value


class BoundedIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = BoundedIsoDateTimeField
