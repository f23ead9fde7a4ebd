"""List endpoints run a fixed number of queries, however many rows they return."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from cases.tests.factories import CaseFactory
from disputes.tests.factories import DisputeFactory
from grids.tests.factories import GridFactory, HouseholdFactory, ResidentFactory
from policing.api import router
from stations.models import Assignment
from stations.tests.factories import AssignmentFactory, PersonFactory, PostFactory
from visits.tests.factories import (
    InspectionFactory,
    PatrolFactory,
    ServiceFactory,
    VenueFactory,
    VisitFactory,
)

pytestmark = pytest.mark.django_db

#: resource -> queries for one page: the request's savepoint and its release,
#: the chief's scope, the count, the rows, and any prefetch (a dispute's
#: events)
MAX_QUERIES = {
    "bureaus": 5,
    "stations": 5,
    "posts": 6,
    "areas": 5,
    "grids": 5,
    "persons": 5,
    "assignments": 5,
    "households": 5,
    "residents": 5,
    "visits": 5,
    "patrols": 5,
    "venues": 5,
    "inspections": 5,
    "services": 5,
    "disputes": 10,  # + parties, events, sessions, agreement, return visits
    "cases": 9,  # + parties, events, return visits, ratings
}


def grow(world):
    """Add ten more rows of every kind to station S."""
    station = world.stations["S"]
    area = world.areas["A"]
    for _ in range(10):
        grid = GridFactory(area=area)
        household = HouseholdFactory(grid=world.grids["A"])
        ResidentFactory(household=household)
        post = PostFactory(station=station)
        post.serves.add(area)
        AssignmentFactory(
            person=PersonFactory(station=station),
            grid=grid,
            role=Assignment.Role.ASSISTANT,
        )
        officer = world.persons["officer_a"]
        venue = VenueFactory(grid=grid)
        VisitFactory(person=officer, household=household)
        PatrolFactory(person=officer, grid=grid)
        InspectionFactory(person=officer, venue=venue)
        ServiceFactory(person=officer, grid=household.grid, household=household)
        DisputeFactory(reported_by=officer, grid=grid)
        CaseFactory(grid=grid, officer=officer)


def count_queries(user, url):
    api = APIClient()
    # A fresh user object, as in a real request: the scope is not cached yet.
    api.force_authenticate(get_user_model().objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("resource", MAX_QUERIES)
def test_list_query_count_is_pinned(world, resource):
    """A list page costs the same few queries with 1 row or with 11."""
    url = f"/api/v1/{resource}/"
    before = count_queries(world.users["chief_s"], url)
    grow(world)
    after = count_queries(world.users["chief_s"], url)
    assert after == before
    assert after <= MAX_QUERIES[resource]


def test_every_api_list_is_pinned():
    assert {prefix for prefix, _viewset, _basename in router.registry} == set(
        MAX_QUERIES
    )
