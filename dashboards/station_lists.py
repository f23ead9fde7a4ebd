"""The station dashboard's lists in full: a page each, searchable and paged.

The dashboard shows the first ten of each list; a chief with 52 people or
300 follows its link to the whole of it.
"""

from itertools import groupby

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import TemplateView

from dashboards.station import behind, station_quotas, week_pace
from grids.models import Resident
from policing.periods import IsoWeek
from policing.views import StationPageMixin
from stations.models import Station
from visits.metrics import key_person_contacts_due

PAGE_SIZE = 50


class StationListView(StationPageMixin, TemplateView):
    """A list of a visible station, filtered by ``?q=`` and paged."""

    def get_context_data(self, **kwargs):
        station = get_object_or_404(
            self.visible(Station).select_related("bureau"), pk=self.kwargs["pk"]
        )
        query = self.request.GET.get("q", "").strip()
        today = timezone.localdate()
        rows = [row for row in self.rows(station, today) if self.matches(row, query)]
        page = Paginator(rows, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            station=station, query=query, page=page, today=today, **kwargs
        )

    def rows(self, station: Station, today) -> list:
        raise NotImplementedError

    def matches(self, row, query: str) -> bool:
        raise NotImplementedError


class BehindListView(StationListView):
    """Everyone behind this week's pace, furthest behind first."""

    template_name = "dashboards/behind.html"

    def rows(self, station, today):
        week = IsoWeek.containing(today)
        self.pace = week_pace(today)
        return behind(station_quotas(station, week), self.pace)

    def matches(self, row, query):
        return query in row.person_name

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "pace": self.pace}


class ContactsDueListView(StationListView):
    """The key persons due for contact, one row each with every contact due."""

    template_name = "dashboards/contacts_due.html"

    def rows(self, station, today):
        due = key_person_contacts_due(
            residents=Resident.objects.of_station(station.pk), today=today
        )
        return [
            list(contacts) for _id, contacts in groupby(due, lambda d: d.resident_id)
        ]

    def matches(self, contacts, query):
        first = contacts[0]
        return query in first.resident_name or query in first.address
