"""Role fixtures shared by every test.

``world`` builds two bureaus and their organisation, and describes in plain
data who works where. Access tests derive what each principal should see
from that description, never from the scoping code under test.

The world is built once per test module and shared by the module's tests
(see "One world per module" below); a test that needs its own gets one.
"""

import copy
import datetime
import itertools
import logging
from collections import Counter
from dataclasses import dataclass, field

import pytest
import time_machine
from django.db import connection, transaction
from django.utils import timezone
from pytest_django.plugin import validate_django_db
from rest_framework.test import APIClient

from cases.tests.factories import CaseFactory
from disputes.tests.factories import DisputeFactory
from grids.tests.factories import (
    AreaFactory,
    GridFactory,
    HouseholdFactory,
    ResidentFactory,
)
from policing.scope import forget_scope
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


#
# One world per module
#
# Building the world takes 136 queries; most tests only read it, so
# each module builds it once, inside a transaction of its own that is rolled
# back after the module's last test (as Django's ``setUpTestData`` does for
# a class). Each test still runs in its own savepoint inside it, so what a
# test writes is gone before the next one, and gets a deep copy of the
# world's objects, so what a test changes in memory is gone too.
#
# A test gets a world of its own, built in its own transaction as before,
# when it is transactional (``django_db(transaction=True)``,
# ``transactional_db``, ``live_server``), when it is marked ``fresh_world``,
# or with ``pytest --fresh-world``.
#
# A module that freezes the clock for its tests declares the instant in a
# module-scoped ``world_time`` fixture, so that its world is built at the
# same instant; a world built at another time than the test sees fails.

#: worlds built in this run: "module" (shared by a module's tests) or "test"
WORLD_BUILDS: Counter = Counter()

#: how far the clock may move between building a shared world and a test
#: that reads it, when the clock is not frozen
WORLD_TIME_TOLERANCE = datetime.timedelta(minutes=10)

_TRANSACTIONAL_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def pytest_addoption(parser):
    parser.addoption(
        "--fresh-world",
        action="store_true",
        help="build the role fixtures' world afresh for every test",
    )


def shares_world(item) -> bool:
    """Return whether ``item`` reads the module's shared world."""
    fixturenames = getattr(item, "fixturenames", ())
    if "world" not in fixturenames:
        return False
    if item.config.getoption("fresh_world") or item.get_closest_marker("fresh_world"):
        return False
    if _TRANSACTIONAL_FIXTURES.intersection(fixturenames):
        return False
    marker = item.get_closest_marker("django_db")
    if marker is not None:
        transactional, reset_sequences, _, serialized_rollback, _ = validate_django_db(
            marker
        )
        if transactional or reset_sequences or serialized_rollback:
            return False
    return True


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # Within each run of a module's tests, those that share the world go
    # first, so that it is built once; the others keep their order after
    # them (pytest-django has put the transactional ones last).
    runs = itertools.groupby(items, key=lambda item: getattr(item, "module", None))
    items[:] = [
        item
        for _module, run in runs
        for item in sorted(run, key=lambda item: not shares_world(item))
    ]
    for item in items:
        if shares_world(item):
            # First, so that the module's transaction opens before the
            # test's own (``db``), which becomes a savepoint inside it.
            item.fixturenames.insert(0, "module_world")


class SharedWorld:
    """A module's world, in a transaction rolled back when it closes."""

    def __init__(self, blocker, at):
        self.blocker = blocker
        self.at = at
        self.world = None
        self.built_at = None
        self._atomic = None

    @property
    def is_open(self) -> bool:
        return self._atomic is not None

    def open(self):
        with self.blocker.unblock():
            self._atomic = transaction.atomic()
            self._atomic.__enter__()
            self._depth = len(connection.atomic_blocks)
            if self.at is None:
                self.world = build_world()
                self.built_at = timezone.now()
            else:
                with time_machine.travel(self.at, tick=False):
                    self.world = build_world()
                    self.built_at = timezone.now()
        for user in self.world.users.values():
            forget_scope(user)
        WORLD_BUILDS["module"] += 1

    def close(self):
        if self._atomic is None:
            return
        with self.blocker.unblock():
            assert len(connection.atomic_blocks) == self._depth, (
                "a transaction opened after the module's world is still open"
            )
            transaction.set_rollback(True)
            self._atomic.__exit__(None, None, None)
        self._atomic = None
        self.world = None

    def copy(self) -> "World":
        drift = timezone.now() - self.built_at
        if not datetime.timedelta(0) <= drift <= WORLD_TIME_TOLERANCE:
            pytest.fail(
                f"the module's world was built at {self.built_at:%Y-%m-%d %H:%M}, "
                f"but the test runs at {timezone.now():%Y-%m-%d %H:%M}: give the "
                "module a `world_time` fixture returning the instant it freezes "
                "the clock at, or mark the test `fresh_world`",
                pytrace=False,
            )
        return copy.deepcopy(self.world)


@pytest.fixture(scope="module")
def world_time():
    """The instant the module's world is built at: now, unless overridden.

    A module that freezes the clock for its tests overrides this fixture
    with that instant.
    """


#: the open shared world of each test module
_SHARED_WORLDS: dict = {}


@pytest.fixture(scope="module")
def module_world(request, django_db_setup, django_db_blocker, world_time):
    """The module's shared world (for the tests that ``shares_world``)."""
    shared = SharedWorld(django_db_blocker, world_time)
    shared.open()
    _SHARED_WORLDS[request.module] = shared
    yield shared
    del _SHARED_WORLDS[request.module]
    shared.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_setup(item):
    shared = _SHARED_WORLDS.get(getattr(item, "module", None))
    if shared is not None and not shared.is_open and shares_world(item):
        shared.open()  # it was closed for a test that did not share it
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    shared = _SHARED_WORLDS.get(getattr(item, "module", None))
    if (
        shared is not None
        and shared.is_open
        and getattr(nextitem, "module", None) is item.module
        and not shares_world(nextitem)
    ):
        # The next test of the module builds its own world, or commits.
        shared.close()
    return result


@pytest.fixture
def world(request, db) -> World:
    if "module_world" in request.fixturenames:
        return request.getfixturevalue("module_world").copy()
    WORLD_BUILDS["test"] += 1
    return build_world()


#
# Counts for the run's summary
#
# A test process hands what it counted to the summary through its tests'
# reports (a ``("run counts", (name, counts))`` user property): with several
# processes (pytest-xdist) the reports reach the one that prints the summary.

#: name -> counts, summed over the reports of every process
RUN_COUNTS: dict[str, Counter] = {}
#: the world builds already handed to a report
_WORLD_BUILDS_REPORTED: Counter = Counter()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if call.when == "teardown":
        builds = WORLD_BUILDS - _WORLD_BUILDS_REPORTED
        if builds:
            _WORLD_BUILDS_REPORTED.update(builds)
            report.user_properties.append(("run counts", ("world", dict(builds))))
    return report


def pytest_runtest_logreport(report):
    for name, value in report.user_properties:
        if name == "run counts":
            counts_name, counts = value
            RUN_COUNTS.setdefault(counts_name, Counter()).update(counts)


def pytest_terminal_summary(terminalreporter):
    builds = RUN_COUNTS.get("world")
    if builds:
        terminalreporter.write_line(
            f"world: built {builds.total()} times "
            f"({builds['module']} shared by a module's tests, "
            f"{builds['test']} for a test of its own)"
        )
    fuzz = RUN_COUNTS.get("schemathesis")
    if fuzz:
        terminalreporter.write_line(schemathesis_summary(fuzz))


def schemathesis_summary(counts: Counter) -> str:
    """One line for the fuzz run of ``tests/integration/test_api_fuzz.py``."""
    phases: Counter = Counter()
    fuzzed: Counter = Counter()
    operations = set()
    for key, count in counts.items():
        if key.startswith("cases "):
            _cases, phase, operation = key.split(" ", 2)
            operations.add(operation)
            phases[phase] += count
            if phase == "fuzzing":
                fuzzed[operation] += count
    per_operation = [fuzzed[operation] for operation in operations]
    seeds = sorted(
        key.removeprefix("seed ") for key in counts if key.startswith("seed ")
    )
    return (
        f"schemathesis: {len(operations)} operations, "
        f"{phases.total()} cases {dict(phases)}, "
        f"fuzzing cases per operation {min(per_operation)}..{max(per_operation)}, "
        f"of which {counts['attacks deep JSON']} deep JSON bodies and "
        f"{counts['attacks huge integers']} with integers past 2^63, "
        f"seed {', '.join(seeds)}, {counts['seconds']} s of tests"
    )


@pytest.fixture(autouse=True)
def _root_log_level():
    """Put the root logger's level back after each test.

    An embedded Celery worker (``celery.contrib.testing``) sets it to ERROR
    for the rest of the process: the WARNING records that later tests of the
    same process read from ``caplog`` would never reach it.
    """
    root = logging.getLogger()
    level = root.level
    yield
    root.setLevel(level)


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


#
# Running on several processes (pytest-xdist)
#
# ``pytest -n 2 --dist loadscope`` (the default: see ``addopts``) sends whole
# modules to a worker process, so that each module's world is built once, by
# one process; ModuleScheduling below decides what goes where. Each worker has
# its own test database (pytest-django adds ``_gw0``, ``_gw1`` ... to its
# name) and its own temporary directory and live-server port.

#: Modules that start a real Celery worker on the test Redis, or a worker
#: process of their own: they share Redis's database and the worker's queue,
#: so they form one unit of work and never run at the same time.
REAL_WORKER_MODULES = (
    "tests/integration/test_celery_worker.py",
    "tests/integration/test_faults.py",
    "tests/integration/test_worker_killed.py",
    "tests/test_health.py",
)
REAL_WORKER_SCOPE = "the modules with a real Celery worker on Redis"

#: Modules whose tests are each a long unit of work of their own (the fuzz
#: shards: each test is minutes of requests), rather than one unit together.
ONE_SCOPE_PER_TEST = ("tests/integration/test_api_fuzz.py",)

#: Units of work known to take long for their number of tests, longest
#: first: they are started first, one per worker at a time, and the short
#: units fill in around them, so that no long unit starts near the end of the
#: run. (The others go by their number of tests, most first.)
LONG_SCOPES = (
    "tests/integration/test_api_fuzz.py::",  # PostgreSQL: minutes per shard
    REAL_WORKER_SCOPE,
    "tests/browser/",  # SQLite: a browser and a live server
)


def scope_of(nodeid: str) -> str:
    """The unit of work a test belongs to: its module, with the exceptions above."""
    module = nodeid.split("::", 1)[0]
    if module in REAL_WORKER_MODULES:
        return REAL_WORKER_SCOPE
    if module in ONE_SCOPE_PER_TEST:
        return nodeid
    return module


def _is_long(scope: str) -> bool:
    return scope.startswith(LONG_SCOPES)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ModuleScheduling(LoadScopeScheduling):
        """Whole modules to a worker; long units first, never two on one worker.

        A worker runs a test only once it holds the next one, so the
        scheduler sends a worker its next unit while it still has two tests
        to go. A long unit that is a single test (a fuzz shard) would then
        pull another unit along at once: a worker that holds a long unit
        gets a short one next, never a second long one.
        """

        def _split_scope(self, nodeid: str) -> str:
            return scope_of(nodeid)

        def _assign_work_unit(self, node) -> None:
            pending = [
                scope
                for scope, unit in self.assigned_work.get(node, {}).items()
                if not all(unit.values())
            ]
            holds_long = any(_is_long(scope) for scope in pending)
            long_first = sorted(
                self.workqueue,
                key=lambda scope: (
                    not _is_long(scope) if not holds_long else _is_long(scope),
                    _long_rank(scope),
                ),
            )
            chosen = long_first[0]
            self.workqueue.move_to_end(chosen, last=False)
            super()._assign_work_unit(node)

    return ModuleScheduling(config, log)


def _long_rank(scope: str) -> int:
    for rank, prefix in enumerate(LONG_SCOPES):
        if scope.startswith(prefix):
            return rank
    return len(LONG_SCOPES)
