"""Role fixtures shared by every test.

``world`` builds two bureaus and their organisation, and describes in plain
data who works where. Access tests derive what each principal should see
from that description, never from the scoping code under test.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cases.tests.factories import CaseFactory
from disputes.tests.factories import DisputeFactory
from grids.tests.factories import (
    AreaFactory,
    GridFactory,
    HouseholdFactory,
    ResidentFactory,
)
from stations.models import Assignment, Person, Post
from stations.tests.factories import (
    AssignmentFactory,
    BureauFactory,
    PersonFactory,
    PostFactory,
    StationFactory,
    UserFactory,
)
from visits.tests.factories import (
    InspectionFactory,
    PatrolFactory,
    ServiceFactory,
    VenueFactory,
    VisitFactory,
)


def _allow_truncate_in_flush() -> None:
    """Let the test database's flush TRUNCATE the audit tables.

    On PostgreSQL the audit tables refuse TRUNCATE (policing.audit_guards);
    with ``AUDIT_TRUNCATE_FOR_TESTS`` the guard lets through a transaction
    that sets ``policing.allow_truncate``, which the flush now does first.
    """
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no PostgreSQL driver: SQLite only
        return
    sql_flush = DatabaseOperations.sql_flush

    def flush_allowing_truncate(self, *args, **kwargs):
        statements = sql_flush(self, *args, **kwargs)
        if not statements:
            return statements
        return ["SELECT set_config('policing.allow_truncate', 'on', true)", *statements]

    DatabaseOperations.sql_flush = flush_allowing_truncate


_allow_truncate_in_flush()


@dataclass
class World:
    """Bureau X (stations S, T) and bureau Y (station U).

    Grids: A and B in S, C in T, D in U. Officer A is responsible for grid A,
    auxiliary A assists on it, officer B is responsible for grid B, officer C
    for grid C and officer D (not a principal) for grid D. Each grid has one
    venue, and its responsible officer recorded one visit (to the grid's
    household), one patrol, one inspection (of the venue) and one service,
    and reported one dispute.
    """

    bureaus: dict = field(default_factory=dict)
    stations: dict = field(default_factory=dict)
    areas: dict = field(default_factory=dict)
    grids: dict = field(default_factory=dict)
    posts: dict = field(default_factory=dict)
    persons: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)
    residents: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)
    venues: dict = field(default_factory=dict)
    visits: dict = field(default_factory=dict)
    patrols: dict = field(default_factory=dict)
    inspections: dict = field(default_factory=dict)
    services: dict = field(default_factory=dict)
    disputes: dict = field(default_factory=dict)
    cases: dict = field(default_factory=dict)
    #: principal name -> (role, bureau, station, grids it works in)
    principals: dict = field(default_factory=dict)


def build_world() -> World:
    w = World()
    w.bureaus = {
        "X": BureauFactory(name="X县公安局"),
        "Y": BureauFactory(name="Y县公安局"),
    }
    w.stations = {
        "S": StationFactory(bureau=w.bureaus["X"]),
        "T": StationFactory(bureau=w.bureaus["X"]),
        "U": StationFactory(bureau=w.bureaus["Y"]),
    }
    grid_station = {"A": "S", "B": "S", "C": "T", "D": "U"}
    for grid_name, station_name in grid_station.items():
        area = AreaFactory(station=w.stations[station_name], name=f"{grid_name}社区")
        w.areas[grid_name] = area
        w.grids[grid_name] = GridFactory(area=area, name=f"网格{grid_name}")
        household = HouseholdFactory(
            grid=w.grids[grid_name], address=f"{grid_name}路1号"
        )
        w.households[grid_name] = household
        w.residents[grid_name] = ResidentFactory(household=household)
    for station_name, station in w.stations.items():
        post = PostFactory(station=station, kind=Post.Kind.COMMUNITY_OFFICE)
        post.serves.set(station.areas.all())
        w.posts[station_name] = post

    def staff(name, *, station, kind=Person.Kind.OFFICER, is_chief=False, bureau=None):
        user = UserFactory(username=name)
        person = PersonFactory(
            name=name,
            kind=kind,
            station=w.stations.get(station),
            bureau=bureau or w.stations[station].bureau,
            is_chief=is_chief,
            user=user,
        )
        w.users[name] = user
        w.persons[name] = person
        return person

    AssignmentFactory(person=staff("officer_a", station="S"), grid=w.grids["A"])
    AssignmentFactory(
        person=staff("auxiliary_a", station="S", kind=Person.Kind.AUXILIARY),
        grid=w.grids["A"],
        role=Assignment.Role.ASSISTANT,
    )
    AssignmentFactory(person=staff("officer_b", station="S"), grid=w.grids["B"])
    AssignmentFactory(person=staff("officer_c", station="T"), grid=w.grids["C"])
    AssignmentFactory(person=staff("officer_d", station="U"), grid=w.grids["D"])
    staff("chief_s", station="S", is_chief=True)
    staff("chief_t", station="T", is_chief=True)
    staff("bureau_x", station=None, bureau=w.bureaus["X"])
    staff("bureau_y", station=None, bureau=w.bureaus["Y"])

    w.users["superuser"] = UserFactory(
        username="superuser", is_superuser=True, is_staff=True
    )
    w.users["no_staff"] = UserFactory(username="no_staff")
    w.users["deactivated"] = UserFactory(username="deactivated", is_active=False)
    w.persons["deactivated"] = PersonFactory(
        name="deactivated", station=w.stations["S"], user=w.users["deactivated"]
    )

    now = timezone.now()
    for grid_name, grid in w.grids.items():
        officer = w.persons[f"officer_{grid_name.lower()}"]
        venue = VenueFactory(grid=grid, name=f"{grid_name}歌厅")
        w.venues[grid_name] = venue
        w.visits[grid_name] = VisitFactory(
            person=officer,
            household=w.households[grid_name],
            visited_at=now - datetime.timedelta(hours=2),
        )
        w.patrols[grid_name] = PatrolFactory(
            person=officer,
            grid=grid,
            started_at=now - datetime.timedelta(hours=4),
            ended_at=now - datetime.timedelta(hours=3),
        )
        w.inspections[grid_name] = InspectionFactory(
            person=officer, venue=venue, inspected_at=now - datetime.timedelta(hours=3)
        )
        w.services[grid_name] = ServiceFactory(
            person=officer, grid=grid, served_at=now - datetime.timedelta(hours=1)
        )
        w.disputes[grid_name] = DisputeFactory(
            grid=grid,
            household=w.households[grid_name],
            reported_by=officer,
            reported_at=now - datetime.timedelta(hours=1),
        )
        w.cases[grid_name] = CaseFactory(
            grid=grid, officer=officer, reported_at=now - datetime.timedelta(hours=1)
        )

    w.principals = {
        "officer_a": ("field", "X", "S", {"A"}),
        "auxiliary_a": ("field", "X", "S", {"A"}),
        "officer_b": ("field", "X", "S", {"B"}),
        "chief_s": ("chief", "X", "S", {"A", "B"}),
        "chief_t": ("chief", "X", "T", {"C"}),
        "bureau_x": ("bureau", "X", None, {"A", "B", "C"}),
        "bureau_y": ("bureau", "Y", None, {"D"}),
        "superuser": ("superuser", None, None, {"A", "B", "C", "D"}),
        "no_staff": ("none", None, None, set()),
        "deactivated": ("none", None, None, set()),
    }
    return w


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def officer(world):
    """The responsible officer of grid A."""
    return world.users["officer_a"]


@pytest.fixture
def chief(world):
    """The chief of station S (grids A and B)."""
    return world.users["chief_s"]


@pytest.fixture
def bureau_user(world):
    """A member of bureau X's staff (stations S and T)."""
    return world.users["bureau_x"]


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """Return an API client authenticated as the given user."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
