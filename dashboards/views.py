"""Composed pages: each reads several apps' figures for one person's morning.

The officer's week, a grid's page, the chief's station dashboard and the
bureau's county page. The figures come from the apps' own metrics and read
models (``dashboards.station``, ``dashboards.county``); these views only
check the requester's scope, call them and shape the charts.
"""

from statistics import fmean

from django.core.paginator import Paginator
from django.db import models
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from assessments import metrics as quota_metrics
from assessments.forms import CountyDashboardForm
from cases.models import Case
from dashboards import maps
from dashboards.county import county_dashboard
from dashboards.station import station_dashboard
from disputes.models import Dispute
from grids.filtersets import HouseholdFilterSet
from grids.metrics import COVERAGE_LABELS, COVERAGE_RATES
from grids.models import Grid, Household, Resident
from policing.periods import IsoWeek, Month
from policing.phones import shown_phone
from policing.scope import Role
from policing.views import (
    BureauPageMixin,
    FieldPageMixin,
    StaffPageMixin,
    StationPageMixin,
)
from stations.models import Assignment, Bureau, Person, Station
from visits import metrics
from visits.models import Patrol, Visit

HOUSEHOLDS_PER_PAGE = 25
RECENT_VISITS = 20
OPEN_DISPUTES_SHOWN = 20
RECENT_CASES = 10


QUOTA_LABELS = {
    "household_visits": _("Households visited"),
    "info_items": _("Information items"),
    "patrol_hours": _("Patrol hours"),
    "grid_days": _("Days in the grid"),
}


RANKING_COLUMNS = (
    ("rank", _("Rank")),
    ("name", _("Name")),
    ("station", _("Station")),
    ("visibility", _("Visibility score")),
    ("familiarity", _("Familiarity score")),
    ("incident_rate", _("Incident rate score")),
    ("information", _("Information score")),
    ("effectiveness", _("Effectiveness score")),
    ("satisfaction", _("Satisfaction score")),
    ("score", _("Score")),
)
RANKING_PAGE_SIZE = 50


class MyWeekView(FieldPageMixin, TemplateView):
    """The officer's home: quota progress, today's work, key persons due."""

    template_name = "dashboards/my_week.html"

    def get_context_data(self, **kwargs):
        person = Person.objects.get(pk=self.scope.person_id)
        week = IsoWeek.current()
        today = timezone.localdate()
        (quota,) = quota_metrics.weekly_quotas(
            week=week, persons=Person.objects.filter(pk=person.pk)
        )
        residents = self.territory(Resident)
        return super().get_context_data(
            person=person,
            week=week,
            quota=quota,
            progress=_progress(quota),
            todays_visits=Visit.objects.filter(person=person, visited_at__date=today)
            .select_related("household")
            .order_by("-visited_at"),
            todays_patrols=Patrol.objects.filter(person=person, started_at__date=today),
            running_patrol=Patrol.objects.filter(person=person).running().first(),
            grids=self.territory(Grid),
            contacts_due=metrics.key_person_contacts_due(
                residents=residents, today=today
            ),
            **kwargs,
        )


class GridDetailView(StaffPageMixin, TemplateView):
    """One grid: staff and their weekly quotas, households, visits, disputes, cases.

    The query count does not grow with the grid: counts and last visits are
    annotations, the lists are sliced, the quotas are one metrics call.
    """

    template_name = "dashboards/grid.html"

    def get_object(self) -> Grid:
        # The grid's page shows its households and residents, which field
        # staff may read in their own grids only: in_scope_of, not the
        # station-wide visible_to of reference data.
        grids = self.territory(Grid).select_related("area__station").annotate_counts()
        return get_object_or_404(grids, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        grid = self.get_object()
        week = IsoWeek.current()
        staff = self.staff(grid, week=week)
        query = self.request.GET.get("q", "").strip()
        visits = self.visible(Visit)
        disputes = list(
            self.visible(Dispute)
            .filter(grid=grid)
            .open()
            .select_related("household")
            .annotate_overdue()
            .order_by("-reported_at", "-pk")[: OPEN_DISPUTES_SHOWN + 1]
        )
        sees_cases = Case.objects.may_write(self.scope)
        return super().get_context_data(
            grid=grid,
            staff=staff,
            week=week,
            mean_completion=_mean_percent([row["quota"].completion for row in staff]),
            query=query,
            page=Paginator(
                self.households(grid, query=query)
                .annotate_overview(visits=visits)
                .order_by("address", "pk"),
                HOUSEHOLDS_PER_PAGE,
            ).get_page(self.request.GET.get("page")),
            visits=visits.filter(grid=grid)
            .select_related("household", "person", "resident")
            .order_by("-visited_at", "-pk")[:RECENT_VISITS],
            disputes=disputes[:OPEN_DISPUTES_SHOWN],
            more_disputes=len(disputes) > OPEN_DISPUTES_SHOWN,
            grid_map=grid_map(grid, staff=staff, disputes=disputes),
            map_labels=maps.labels(),
            map_config=maps.config(),
            sees_cases=sees_cases,
            cases=self.visible(Case)
            .filter(grid=grid)
            .select_related("officer")
            .order_by("-reported_at", "-pk")[:RECENT_CASES]
            if sees_cases
            else Case.objects.none(),
            **kwargs,
        )

    def staff(self, grid: Grid, *, week: IsoWeek) -> list[dict]:
        """Return the grid's current assignments, responsible first, with quotas."""
        assignments = list(
            self.visible(Assignment)
            .current()
            .filter(grid=grid)
            .select_related("person")
            .order_by(
                models.Case(
                    models.When(role=Assignment.Role.RESPONSIBLE, then=0), default=1
                ),
                "person__name",
                "pk",
            )
        )
        if not assignments:
            return []
        quotas = {
            row.person: row
            for row in quota_metrics.weekly_quotas(
                week=week,
                persons=Person.objects.filter(
                    pk__in={assignment.person_id for assignment in assignments}
                ),
            )
        }
        # SECURITY G-PII3: only the grid's own field staff read phones in full.
        rows = []
        for assignment in assignments:
            person, quota = assignment.person, quotas[assignment.person_id]
            rows.append(
                {
                    "assignment": assignment,
                    "person": person,
                    "phone": shown_phone(self.scope, grid.pk, person.phone),
                    "quota": quota,
                    "cells": [
                        {
                            "name": name,
                            "actual": getattr(quota, name),
                            "target": quota.targets[name],
                            "met": getattr(quota, name) >= quota.targets[name],
                        }
                        for name in quota_metrics.QUOTA_METRICS
                    ],
                    "percent": round(100 * quota.completion),
                }
            )
        return rows

    def households(self, grid: Grid, *, query: str):
        """Return the grid's households, narrowed by the search if any."""
        households = self.visible(Household).filter(grid=grid)
        if not query:
            return households
        # The visit form's search: a piece of the address or a resident's
        # name. It joins the residents and adds DISTINCT, which the
        # annotations cannot aggregate over: narrow by primary key instead.
        found = HouseholdFilterSet({"q": query}, queryset=households).qs
        return households.filter(pk__in=found.values("pk"))


class OwnStationView(StationPageMixin, View):
    """The chief's landing page: their own station's dashboard."""

    def get(self, request):
        if self.scope.station_id is None:
            raise Http404
        return redirect("dashboards:station", pk=self.scope.station_id)


class StationDashboardView(StationPageMixin, TemplateView):
    """The station chief's morning page: map, cards, charts, lists to act on."""

    template_name = "dashboards/station.html"

    def get_context_data(self, **kwargs):
        station = get_object_or_404(
            self.visible(Station).select_related("bureau"),
            pk=self.kwargs["pk"],
        )
        board = station_dashboard(station)
        by_completion = sorted(
            board.quotas, key=lambda row: (row.completion, row.person_name)
        )
        return super().get_context_data(
            board=board,
            coverage_rows=[
                {
                    "label": COVERAGE_LABELS[name],
                    "rate": getattr(board.coverage, name),
                    "target": board.coverage_targets[name],
                }
                for name in COVERAGE_RATES
            ],
            charts={
                "visits_per_day": {
                    "kind": "bar",
                    "categories": [day.isoformat() for day, _n in board.visits_per_day],
                    "series": [
                        {
                            "name": str(_("Visits")),
                            "data": [n for _day, n in board.visits_per_day],
                        }
                    ],
                },
                # Furthest behind on top, a row per person however many.
                "completion_per_person": {
                    "kind": "hbar",
                    "percent": True,
                    "row_per_category": True,
                    "categories": [row.person_name for row in by_completion],
                    "series": [
                        {
                            "name": str(_("Quota completion")),
                            "data": [row.completion for row in by_completion],
                        }
                    ],
                    "marker": board.expected_completion,
                    "marker_label": str(_("Pace of the week")),
                },
            },
            map_labels=maps.labels(),
            map_config=maps.config(),
            **kwargs,
        )


class CountyDashboardView(BureauPageMixin, TemplateView):
    """The bureau's monthly page: stations side by side, map, ranking."""

    template_name = "dashboards/county.html"

    def get_context_data(self, **kwargs):
        superuser = self.scope.role is Role.SUPERUSER
        sort_keys = [
            f"{sign}{key}" for key, _label in RANKING_COLUMNS for sign in ("", "-")
        ]
        form = CountyDashboardForm(
            self.request.GET,
            bureaus=Bureau.objects.order_by("code") if superuser else None,
            sort_keys=sort_keys,
        )
        if not form.is_valid():
            # A hand-edited address: show the errors over the current month.
            cleaned = {"month": Month.current()}
        else:
            cleaned = form.cleaned_data
        bureau = cleaned.get("bureau") or self.default_bureau()
        if bureau is None:
            return super().get_context_data(form=form, board=None, **kwargs)
        board = county_dashboard(bureau, cleaned["month"])
        sort = cleaned.get("sort") or "rank"
        ranking = sorted_ranking(board.ranking, sort, names=board.station_names)
        page = Paginator(ranking, RANKING_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        return super().get_context_data(
            form=form,
            board=board,
            sort=sort,
            headers=self.ranking_headers(sort),
            page=page,
            ranked_rows=[
                {"row": row, "station": board.station_names.get(row.station)}
                for row in page
            ],
            charts=county_charts(board),
            map_labels=maps.labels(),
            map_config=maps.config(),
            **kwargs,
        )

    def ranking_headers(self, sort: str) -> list[dict]:
        """Each ranking column's label, sort link and aria-sort state."""
        headers = []
        for key, label in RANKING_COLUMNS:
            query = self.request.GET.copy()
            query.pop("page", None)
            # A first click puts the best first: scores high to low.
            first = key if key in ("rank", "name", "station") else f"-{key}"
            if sort.removeprefix("-") == key:
                query["sort"] = sort.removeprefix("-") if sort[0] == "-" else f"-{key}"
            else:
                query["sort"] = first
            state = ""
            if sort.removeprefix("-") == key:
                state = "descending" if sort.startswith("-") else "ascending"
            headers.append(
                {
                    "key": key,
                    "label": label,
                    "url": f"?{query.urlencode()}",
                    "state": state,
                }
            )
        return headers

    def default_bureau(self) -> Bureau | None:
        if self.scope.bureau_id is not None:
            return Bureau.objects.get(pk=self.scope.bureau_id)
        return Bureau.objects.order_by("code").first()


def sorted_ranking(rows, sort: str, *, names: dict[int, str]) -> list:
    """Sort ranking rows by a column; rows without a value go last either way."""
    key = sort.removeprefix("-")
    descending = sort.startswith("-")

    def value(row):
        match key:
            case "rank":
                return row.rank_in_bureau
            case "name":
                return row.person_name
            case "station":
                return names.get(row.station, "")
            case _:
                return getattr(row, key)

    present = [row for row in rows if value(row) is not None]
    missing = [row for row in rows if value(row) is None]
    present.sort(key=lambda row: (value(row), row.person_name), reverse=descending)
    return present + missing


def county_charts(board) -> dict:
    """The county page's chart: completion and average score per station."""
    return {
        "stations": {
            "kind": "bar",
            "percent": True,
            "every_label": True,
            "categories": [column.station.name for column in board.stations],
            "series": [
                {
                    "name": str(_("Quota completion")),
                    "data": [column.completion for column in board.stations],
                },
                {
                    "name": str(_("Grid officer coverage")),
                    "data": [
                        column.coverage.grid_officer_coverage.rate
                        for column in board.stations
                    ],
                },
            ],
        }
    }


def _mean_percent(completions: list[float]) -> int | None:
    """Return the mean completion in whole percent; None without staff."""
    return round(100 * fmean(completions)) if completions else None


def grid_map(grid: Grid, *, staff: list[dict], disputes: list) -> dict:
    """The grid's outline coloured like the dashboards, and its open disputes."""
    completions = [row["quota"].completion for row in staff]
    centre = maps.bbox_centre(grid)
    return {
        "grids": maps.feature_collection(
            [
                (
                    grid.boundary,
                    {
                        "id": grid.pk,
                        "name": grid.name,
                        "code": grid.code,
                        "completion": round(fmean(completions), 4)
                        if completions
                        else None,
                    },
                )
            ],
            zoom=maps.GRID_ZOOM,
        ),
        "disputes": maps.feature_collection(
            (
                (dispute.household.location if dispute.household else None) or centre,
                {
                    "id": dispute.pk,
                    "colour": dispute.colour,
                    "category": dispute.category,
                    "status": dispute.status,
                    "overdue": dispute.is_overdue,
                },
            )
            for dispute in disputes
        ),
    }


def _progress(quota) -> list[dict]:
    """Return the four progress bars of a quota row, in SPEC §3 order."""
    bars = []
    for name, label in QUOTA_LABELS.items():
        actual, target = getattr(quota, name), quota.targets[name]
        bars.append(
            {
                "name": name,
                "label": label,
                "actual": actual,
                "target": target,
                "met": actual >= target,
                "percent": min(100, round(100 * float(actual) / float(target))),
            }
        )
    return bars
