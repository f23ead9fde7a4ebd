"""The grid's page: its staff and their week, households, recent work."""

from statistics import fmean

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from assessments import metrics as quota_metrics
from assessments.periods import IsoWeek
from cases.models import Case
from disputes.models import Dispute
from grids import reveal
from grids.filtersets import HouseholdFilterSet
from grids.forms import RevealForm
from grids.models import Grid, Household
from policing.phones import mask_phone, shown_phone
from policing.views import StaffPageMixin
from stations import maps
from stations.models import Assignment, Person
from visits.models import Visit

HOUSEHOLDS_PER_PAGE = 25
RECENT_VISITS = 20
OPEN_DISPUTES_SHOWN = 20
RECENT_CASES = 10


class GridDetailView(StaffPageMixin, TemplateView):
    """One grid: staff and their weekly quotas, households, visits, disputes, cases.

    The query count does not grow with the grid: counts and last visits are
    annotations, the lists are sliced, the quotas are one metrics call.
    """

    template_name = "grids/detail.html"

    def get_object(self) -> Grid:
        # The grid's page shows its households and residents, which field
        # staff may read in their own grids only: in_scope_of, not the
        # station-wide visible_to of reference data.
        grids = (
            Grid.objects.in_scope_of(self.request.user)
            .select_related("area__station")
            .annotate_counts()
        )
        return get_object_or_404(grids, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        user = self.request.user
        grid = self.get_object()
        week = IsoWeek.current()
        staff = self.staff(grid, week=week)
        query = self.request.GET.get("q", "").strip()
        visits = Visit.objects.visible_to(user)
        disputes = list(
            Dispute.objects.visible_to(user)
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
            cases=Case.objects.visible_to(user)
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
            Assignment.objects.visible_to(self.request.user)
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
        households = Household.objects.visible_to(self.request.user).filter(grid=grid)
        if not query:
            return households
        # The visit form's search: a piece of the address or a resident's
        # name. It joins the residents and adds DISTINCT, which the
        # annotations cannot aggregate over: narrow by primary key instead.
        found = HouseholdFilterSet({"q": query}, queryset=households).qs
        return households.filter(pk__in=found.values("pk"))


class ResidentRevealView(StaffPageMixin, TemplateView):
    """Ask for a reason, then show one resident's full national ID once (G-AD6).

    The same rules as the API's reveal action: a chief or bureau staff, the
    resident in scope (else 404), the daily limit, every reveal recorded.
    """

    template_name = "grids/reveal.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not reveal.may_reveal(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        resident = get_object_or_404(
            reveal.revealable(self.request.user).select_related("household"),
            pk=self.kwargs["pk"],
        )
        kwargs.setdefault("form", RevealForm())
        return super().get_context_data(
            resident=resident,
            masked_phone=mask_phone(resident.phone),
            reveal_limit=reveal.REVEALS_PER_DAY,
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        context = self.get_context_data(form=RevealForm(request.POST))
        form, resident = context["form"], context["resident"]
        if form.is_valid():
            try:
                context["number"] = reveal.reveal_number(
                    resident,
                    user=request.user,
                    reason=form.cleaned_data["reason"],
                    request_id=getattr(request, "request_id", ""),
                    client=reveal.client_address(request),
                )
            except reveal.RevealLimitReached as limit:
                form.add_error(None, str(limit))
                return self.render_to_response(context, status=429)
        return self.render_to_response(context)


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
