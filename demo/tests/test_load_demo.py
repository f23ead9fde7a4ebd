"""The demo county loader and the one-step ``demo`` command."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
import shapely
import time_machine
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import connection, transaction
from django.test import RequestFactory
from shapely.geometry import shape

from assessments.models import DEFAULT_TARGETS, QuotaSnapshot
from dashboards.county import county_dashboard
from dashboards.station import station_dashboard
from grids import national_id
from grids.models import Area, Grid, Household, Resident
from policing import geometry
from policing.checks import DEMO_PASSWORD
from policing.periods import IsoWeek, Month, local_midnight
from stations.models import Assignment, Bureau, Person, Post, Station

pytestmark = pytest.mark.django_db

DEMO_LOGINS = ("officer", "chief", "bureau", "admin")
#: A Saturday morning: this week's work is in up to Friday.
SATURDAY = local_midnight(datetime.date(2026, 11, 28)) + datetime.timedelta(hours=9)


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Return the row count of every table (unmanaged views are skipped)."""
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo county, loaded once for the module and rolled back after it.

    The tests that load it themselves come first in this file, so that they
    start from an empty database.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_demo()
        transaction.set_rollback(True)


def test_second_run_leaves_every_row_count_unchanged():
    """Loading twice gives the same number of rows in every table."""
    load_demo()
    first = row_counts()
    ciphertexts = list(Resident.objects.values_list("pk", "id_number_encrypted"))
    load_demo()
    assert row_counts() == first
    assert first["grids.Resident"] > 0
    # Existing residents are found by blind index, not encrypted afresh.
    assert (
        list(Resident.objects.values_list("pk", "id_number_encrypted")) == ciphertexts
    )


def test_demo_command_migrates_and_loads_without_serving():
    """``demo --no-serve`` migrates, loads and prints the logins."""
    out = StringIO()
    call_command("demo", "--no-serve", stdout=out)
    assert Grid.objects.exists()
    assert DEMO_PASSWORD in out.getvalue()


def colour(completion: float) -> str:
    """The band ``static/js/dashboard.js`` colours a completion with."""
    if completion < 0.5:
        return "red"
    if completion < 0.8:
        return "orange"
    return "yellow" if completion < 1 else "green"


def test_some_staff_meet_the_weekly_quota_and_a_few_are_far_behind():
    """The full weeks' snapshots spread around the targets, as staff do."""
    load_demo()
    this_week = IsoWeek.current().monday
    weeks = QuotaSnapshot.objects.exclude(week_start=this_week)
    assert weeks.count() >= 1000
    assert 0.2 <= weeks.filter(met=True).count() / weeks.count() <= 0.65
    # Far behind: under half of the targets, the dashboards' red.
    behind = weeks.filter(completion__lt=Decimal("0.5")).count()
    assert 0.03 <= behind / weeks.count() <= 0.25
    # Well over: a fifth more households than asked for.
    target = DEFAULT_TARGETS["household_visits"]
    assert weeks.filter(household_visits__gte=target * 1.2).count() >= 50


def test_the_maps_and_bars_show_every_colour_late_in_the_week():
    """The station maps and bars colour this week, the county map the month."""
    with time_machine.travel(SATURDAY, tick=False):
        load_demo()
        grids, people = [], []
        for station in Station.objects.order_by("code"):
            board = station_dashboard(station)
            grids += [
                g["properties"]["completion"] for g in board.map["grids"]["features"]
            ]
            people += [row.completion for row in board.quotas]
        county = county_dashboard(
            Bureau.objects.get(), Month.containing(SATURDAY.date())
        )
    bands = {"red", "orange", "yellow", "green"}
    assert None not in grids
    assert {colour(value) for value in grids} == bands
    assert {colour(value) for value in people} == bands
    months = [g["properties"]["completion"] for g in county.map["grids"]["features"]]
    assert {colour(value) for value in months} == bands


def test_rows_pass_model_validation(demo):
    """The loaded rows satisfy every model's own validation rules."""
    for model in (Station, Area, Grid, Post, Person, Assignment, Household):
        for instance in model.objects.all():
            instance.full_clean()
    for resident in Resident.objects.all()[:200]:
        resident.full_clean()


def test_summary_lists_counts_and_logins(demo):
    """The command reports what it loaded and how to log in."""
    assert f"Grid {Grid.objects.count()}" in " ".join(demo.split())
    for username in DEMO_LOGINS:
        assert username in demo
    assert DEMO_PASSWORD in demo


def test_every_grid_has_one_current_responsible_officer(demo):
    """Each grid has exactly one current responsible officer ("一格一警")."""
    current = Assignment.objects.current().filter(role=Assignment.Role.RESPONSIBLE)
    for grid in Grid.objects.all():
        responsible = current.filter(grid=grid)
        assert responsible.count() == 1, grid.code
        assert responsible.get().person.kind == Person.Kind.OFFICER


def test_history_keeps_ended_assignments(demo):
    """Some assignments have ended, so past months have their own staffing."""
    ended = Assignment.objects.exclude(end=None)
    assert ended.exists()
    assert not Assignment.objects.current().filter(pk__in=ended).exists()


def test_posts_staff_about_forty_percent_of_officers(demo):
    """About 40% of officers hold a current post assignment (seed target)."""
    officers = Person.objects.officers()
    on_posts = officers.filter(
        assignments__in=Assignment.objects.current().exclude(post=None)
    ).distinct()
    assert 0.38 <= on_posts.count() / officers.count() <= 0.5
    assert set(Post.objects.values_list("kind", flat=True)) == set(Post.Kind.values)


def test_boundaries_are_valid_polygons(demo):
    """Every grid and area boundary passes the project's polygon validation."""
    for boundary in [
        *Grid.objects.values_list("boundary", flat=True),
        *Area.objects.values_list("boundary", flat=True),
    ]:
        geometry.validate_polygon(boundary)


def test_grids_tile_their_area(demo):
    """The grids of an area cover it exactly, without overlapping."""
    for area in Area.objects.prefetch_related("grids"):
        shapes = [geometry.to_shape(grid.boundary) for grid in area.grids.all()]
        assert 2 <= len(shapes) <= 3
        assert sum(s.area for s in shapes) == pytest.approx(
            geometry.to_shape(area.boundary).area
        )
        assert shapely.union_all(shapes).equals(geometry.to_shape(area.boundary))


def test_households_lie_inside_their_grid(demo):
    """Every household's point is covered by its grid, and locates it."""
    grids = {grid.pk: geometry.to_shape(grid.boundary) for grid in Grid.objects.all()}
    households = Household.objects.all()
    assert households.count() >= 300
    for household in households:
        point = shape(household.location)
        assert grids[household.grid_id].covers(point), household.address
        assert Grid.locate(household.location).pk == household.grid_id


def test_id_numbers_are_never_stored_in_clear(demo):
    """No column of the residents table holds a clear national ID number."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM grids_resident")
        stored = "\n".join(str(value) for row in cursor.fetchall() for value in row)
    residents = list(Resident.objects.all())
    assert len(residents) >= 300
    for resident in residents:
        number = national_id.decrypt(resident.id_number_encrypted)
        assert national_id.validate(number) == number
        assert number not in stored
        assert resident.id_number == national_id.mask(number)


def test_key_persons_have_a_category(demo):
    """About 3% of residents are key persons, each with a category."""
    key_persons = Resident.objects.filter(is_key_person=True)
    assert 0.01 <= key_persons.count() / Resident.objects.count() <= 0.06
    assert not key_persons.filter(key_person_category="").exists()


def test_demo_logins_authenticate(demo):
    """Each demo login works with the demo password; admin is superuser."""
    for username in DEMO_LOGINS:
        # django-axes needs the request to count failures per address.
        request = RequestFactory().post("/accounts/login/")
        user = authenticate(request, username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert user.is_superuser == (username == "admin")


def test_demo_logins_are_linked_to_their_roles(demo):
    """The logins are a grid officer, a station chief and bureau staff."""
    officer = Person.objects.get(user__username="officer")
    chief = Person.objects.get(user__username="chief")
    bureau = Person.objects.get(user__username="bureau")
    first_grid = Grid.objects.order_by("code").first()
    assert officer.assignments.filter(
        grid=first_grid, role=Assignment.Role.RESPONSIBLE, end=None
    ).exists()
    assert chief.is_chief
    assert chief.station == first_grid.area.station
    assert bureau.station is None
    assert bureau.bureau == chief.bureau
