"""``manage.py generate_city`` (issue 10): a plausible, deterministic city.

The small city is generated once for the module, inside a transaction that
is rolled back after the last test; each test runs in a savepoint of its own.
"""

import datetime
import io
from collections import Counter, defaultdict

import pytest
import shapely
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from stdnum.iso7064 import mod_11_2

from cases.models import Case, CaseParty
from disputes.models import Agreement, Dispute, DisputePolicy, ReturnVisit
from grids import national_id
from grids.models import Area, Grid, Household, Resident
from grids.tests.factories import HouseholdFactory
from policing import geometry
from policing.periods import local_midnight
from stations.models import Assignment, Person, Post, Station
from visits.models import Patrol, Visit

pytestmark = pytest.mark.django_db

CODE = "CITYTEST"
# A fixed end of the year, so the city is the same whatever day tests run.
UNTIL = datetime.date(2026, 11, 2)
FIRST_DAY = UNTIL - datetime.timedelta(days=365)
LAST_DAY = UNTIL - datetime.timedelta(days=1)
NOW = local_midnight(UNTIL)

#: model -> the path from it to its bureau
BUREAU_OF = {
    Station: "bureau",
    Area: "station__bureau",
    Grid: "area__station__bureau",
    Post: "station__bureau",
    Person: "bureau",
    Assignment: "person__bureau",
    Household: "grid__area__station__bureau",
    Resident: "household__grid__area__station__bureau",
    Visit: "grid__area__station__bureau",
    Patrol: "grid__area__station__bureau",
    Dispute: "grid__area__station__bureau",
    Case: "grid__area__station__bureau",
}


def generate(*options: str) -> str:
    out = io.StringIO()
    call_command(
        "generate_city",
        "--size",
        "small",
        "--bureau-code",
        CODE,
        "--until",
        UNTIL.isoformat(),
        *options,
        stdout=out,
    )
    return out.getvalue()


def rows(model):
    """Return the generated city's rows of ``model``."""
    return model.objects.filter(**{f"{BUREAU_OF[model]}__code": CODE})


@pytest.fixture(scope="module")
def city(django_db_setup, django_db_blocker):
    """The small city, written once and rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        output = generate()
        yield output
        transaction.set_rollback(True)


def test_a_small_city_has_the_sizes_ci_expects(city):
    """Two stations, 20 grids, ~60 staff, 600 households, ~1,000 residents."""
    assert rows(Station).count() == 2
    assert rows(Grid).count() == 20
    assert 45 <= rows(Person).count() <= 80
    assert rows(Household).count() == 600
    assert 900 <= rows(Resident).count() <= 1100
    assert 2700 <= rows(Visit).count() <= 3300
    assert 430 <= rows(Patrol).count() <= 570
    assert rows(Dispute).count() == 12
    assert rows(Case).count() == 12
    for stage in ("territory", "staff", "households", "visits", "patrols"):
        assert f"  {stage}" in city  # one progress line per stage


def test_the_command_refuses_to_overwrite_without_replace(city):
    """An existing bureau code is an error without --replace; nothing changes."""
    before = rows(Visit).count()
    with pytest.raises(CommandError, match="--replace"):
        generate()
    assert rows(Visit).count() == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--until", "2999-01-01"], "future"),
        (["--until", "yesterday"], "date like"),
        (["--scale", "0"], "--scale"),
        (["--bureau-code", "NOT A CODE"], "--bureau-code"),
    ],
)
def test_the_command_rejects_bad_options(options, message):
    """Bad options are refused before anything is written."""
    stations = Station.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("generate_city", *options, stdout=io.StringIO())
    assert Station.objects.count() == stations


def test_grids_are_valid_polygons_that_do_not_overlap(city):
    """Grids tile the city: valid shapes, no overlaps, bounding boxes kept."""
    shapes = []
    for grid in rows(Grid):
        geometry.validate_polygon(grid.boundary)
        shape = geometry.to_shape(grid.boundary)
        assert (grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat) == (
            shape.bounds
        )
        shapes.append(shape)
    union = shapely.union_all(shapes)
    assert union.area == pytest.approx(sum(s.area for s in shapes), rel=1e-9)
    # Neighbours share edges exactly: the city is one piece without holes.
    assert union.geom_type == "Polygon"
    for area in rows(Area):
        geometry.validate_polygon(area.boundary)


def test_every_station_has_posts_of_the_four_kinds(city):
    """Community offices, rural offices, workstations and a kiosk per station."""
    for station in rows(Station):
        kinds = set(station.posts.values_list("kind", flat=True))
        assert kinds == set(Post.Kind.values)
        assert station.areas.filter(kind=Area.Kind.COMMUNITY).exists()
        assert station.areas.filter(kind=Area.Kind.VILLAGE).exists()
    for post in rows(Post):
        assert post.serves.exists()
        assert all(area.station_id == post.station_id for area in post.serves.all())


def test_every_grid_has_one_responsible_officer_every_day(city):
    """One responsible officer per grid and day ("一格一警"), today included."""
    spans = defaultdict(list)
    for assignment in (
        rows(Assignment)
        .filter(grid__isnull=False, role=Assignment.Role.RESPONSIBLE)
        .select_related("person", "grid__area")
    ):
        assert assignment.person.kind == Person.Kind.OFFICER
        assert assignment.person.station_id == assignment.grid.area.station_id
        spans[assignment.grid_id].append(assignment)
    grids = list(rows(Grid))
    days = [FIRST_DAY + datetime.timedelta(n) for n in range(366)]
    for grid in grids:
        for day in [*days, timezone.localdate()]:
            covering = [
                a
                for a in spans[grid.pk]
                if a.start <= day and (a.end is None or day <= a.end)
            ]
            assert len(covering) == 1, (grid.code, day)
    current = rows(Assignment).current().filter(role=Assignment.Role.RESPONSIBLE)
    assert current.filter(grid__isnull=False).count() == len(grids)


def test_some_staff_moved_during_the_year(city):
    """A move ends the old assignment the day before the new one starts."""
    ended = rows(Assignment).filter(
        grid__isnull=False, end__gte=FIRST_DAY, end__lte=LAST_DAY
    )
    assert ended.filter(role=Assignment.Role.RESPONSIBLE).count() >= 4
    assert ended.filter(role=Assignment.Role.ASSISTANT).exists()
    for old in ended.filter(role=Assignment.Role.RESPONSIBLE):
        new = rows(Assignment).get(
            grid__isnull=False,
            person=old.person,
            start=old.end + datetime.timedelta(days=1),
        )
        assert new.grid_id != old.grid_id
        assert new.end is None


def test_every_household_lies_inside_its_grid(city):
    """A household's point lies in its grid, and in no other grid."""
    candidates = list(rows(Grid).values_list("pk", "boundary"))
    for household in rows(Household).annotate(registered=Count("residents")):
        assert household.location["type"] == "Point"
        assert geometry.first_covering(household.location, candidates) == (
            household.grid_id
        )
        assert household.member_count >= household.registered >= 1


def test_every_visit_is_made_in_its_grid_by_staff_posted_there(city):
    """Each visit's grid is its household's, and its person works there then."""
    postings = defaultdict(list)
    for person_id, grid_id, start, end in (
        rows(Assignment)
        .filter(grid__isnull=False)
        .values_list("person_id", "grid_id", "start", "end")
    ):
        postings[(person_id, grid_id)].append((start, end))
    station_of_grid = dict(rows(Grid).values_list("pk", "area__station_id"))
    station_of_person = dict(rows(Person).values_list("pk", "station_id"))
    visits = rows(Visit).values_list(
        "person_id", "grid_id", "household__grid_id", "visited_at", "info_items"
    )
    for person_id, grid_id, household_grid_id, visited_at, info_items in visits:
        assert grid_id == household_grid_id
        assert station_of_person[person_id] == station_of_grid[grid_id]
        day = timezone.localdate(visited_at)
        assert FIRST_DAY <= day <= LAST_DAY
        assert any(
            start <= day and (end is None or day <= end)
            for start, end in postings[(person_id, grid_id)]
        )
        assert 0 <= info_items <= 3


def test_weekdays_have_more_visits_per_day_than_weekends(city):
    """Visits per weekday outnumber visits per weekend day."""
    days = [FIRST_DAY + datetime.timedelta(n) for n in range(365)]
    weekend_days = sum(day.weekday() >= 5 for day in days)
    by_weekend = Counter(
        timezone.localdate(at).weekday() >= 5
        for at in rows(Visit).values_list("visited_at", flat=True)
    )
    per_weekday = by_weekend[False] / (len(days) - weekend_days)
    per_weekend_day = by_weekend[True] / weekend_days
    assert per_weekday > 2 * per_weekend_day
    hours = Counter(
        timezone.localtime(at).hour
        for at in rows(Visit).values_list("visited_at", flat=True)
    )
    assert sum(hours[h] for h in range(8, 18)) > 0.8 * sum(hours.values())


def test_about_a_fifth_of_patrols_are_at_night(city):
    """Night patrols (overlapping 20:00-06:00) are 15-25% of all patrols."""
    patrols = list(rows(Patrol))
    night = sum(patrol.is_night for patrol in patrols)
    assert 0.15 <= night / len(patrols) <= 0.25
    for patrol in patrols:
        assert patrol.started_at < patrol.ended_at <= NOW


def test_national_ids_decrypt_to_valid_numbers_found_by_their_hash(city):
    """Stored IDs decrypt to GB 11643-valid numbers the blind index finds."""
    residents = list(rows(Resident).order_by("pk"))
    assert len({r.id_number_hash for r in residents}) == len(residents)
    for resident in residents[::25]:
        number = national_id.decrypt(resident.id_number_encrypted)
        assert mod_11_2.is_valid(number)  # an independent GB 11643 checksum
        assert national_id.validate(number) == number
        assert resident.id_number == national_id.mask(number)
        found = Resident.objects.get(id_number_hash=national_id.blind_index(number))
        assert found.pk == resident.pk


def test_key_persons_are_about_one_percent_with_a_category(city):
    key_persons = rows(Resident).filter(is_key_person=True)
    assert 0 < key_persons.count() <= 0.03 * rows(Resident).count()
    assert not key_persons.filter(key_person_category="").exists()
    meetings = rows(Visit).filter(kind=Visit.Kind.KEY_PERSON_MEETING)
    assert meetings.exists()
    assert not meetings.filter(resident__isnull=True).exists()


def test_dispute_statuses_and_due_times_follow_the_workflow(city):
    """Statuses match the timestamps; due times follow the bureau's policy."""
    disputes = list(rows(Dispute).select_related("grid__area__station"))
    policy = DisputePolicy.for_bureau(disputes[0].grid.area.station.bureau_id)
    hours = datetime.timedelta(hours=1)
    statuses = Counter(d.status for d in disputes)
    assert statuses[Dispute.Status.CLOSED] >= 1
    for dispute in disputes:
        assert FIRST_DAY <= timezone.localdate(dispute.reported_at) <= LAST_DAY
        assert dispute.first_contact_due == (
            dispute.reported_at + policy.first_contact_hours * hours
        )
        if dispute.status == Dispute.Status.REPORTED:
            assert dispute.accepted_at is None
            continue
        assert dispute.reported_at < dispute.accepted_at < NOW
        assert dispute.mediation_due == (
            dispute.accepted_at + policy.mediation_hours * hours
        )
        resolved = Agreement.objects.filter(dispute=dispute).exists()
        assert resolved == (dispute.resolved_at is not None)
        if resolved:
            assert dispute.return_visit_due == dispute.resolved_at + datetime.timedelta(
                days=policy.return_visit_days
            )
        if dispute.status == Dispute.Status.CLOSED:
            assert dispute.closed_at < NOW
            if resolved:
                assert ReturnVisit.objects.filter(dispute=dispute).exists()
        times = list(dispute.events.order_by("pk").values_list("at", flat=True))
        assert times == sorted(times)
        assert dispute.parties.count() == 2
    overdue = Dispute.objects.filter(pk__in=[d.pk for d in disputes]).overdue(NOW)
    assert set(overdue.values_list("status", flat=True)) <= {
        Dispute.Status.REPORTED,
        Dispute.Status.ACCEPTED,
        Dispute.Status.RESOLVED,
    }


def test_case_statuses_follow_their_timeline(city):
    """Solved and closed cases carry their times; officers are the grid's."""
    cases = list(rows(Case).select_related("officer", "grid__area"))
    for case in cases:
        assert case.officer.kind == Person.Kind.OFFICER
        assert case.officer.station_id == case.grid.area.station_id
        assert case.occurred_at < case.reported_at < NOW
        if case.status == Case.Status.REPORTED:
            assert case.accepted_at is None
        if case.status in (Case.Status.SOLVED, Case.Status.CLOSED):
            assert case.accepted_at < case.solved_at < NOW
        if case.status == Case.Status.CLOSED:
            assert case.solved_at < case.closed_at < NOW
        victim = case.parties.get(role=CaseParty.Role.VICTIM)
        assert victim.phone_tail == victim.phone[-4:] != ""
    assert len({case.number for case in cases}) == len(cases)


def snapshot() -> dict:
    """Counts and first rows, by value: ids and ciphertext differ per run."""
    first = 5
    return {
        "counts": {model.__name__: rows(model).count() for model in BUREAU_OF},
        "grids": list(
            rows(Grid).order_by("pk").values_list("code", "boundary")[:first]
        ),
        "persons": list(
            rows(Person)
            .order_by("pk")
            .values_list("name", "kind", "badge_number")[:first]
        ),
        "assignments": list(
            rows(Assignment)
            .order_by("pk")
            .values_list("person__name", "grid__code", "role", "start", "end")[:first]
        ),
        "households": list(
            rows(Household)
            .order_by("pk")
            .values_list("address", "location", "member_count")[:first]
        ),
        "residents": [
            (r.name, national_id.decrypt(r.id_number_encrypted), r.id_number_hash)
            for r in rows(Resident).order_by("pk")[:first]
        ],
        "visits": list(
            rows(Visit)
            .order_by("pk")
            .values_list(
                "person__name", "household__address", "visited_at", "client_uuid"
            )[:first]
        ),
        "patrols": list(
            rows(Patrol)
            .order_by("pk")
            .values_list("person__name", "grid__code", "started_at", "ended_at")[:first]
        ),
        "disputes": list(
            rows(Dispute)
            .order_by("pk")
            .values_list("summary", "status", "colour", "level", "reported_at")[:first]
        ),
        "cases": list(
            rows(Case)
            .order_by("pk")
            .values_list("summary", "status", "reported_at", "solved_at")[:first]
        ),
    }


def test_the_same_seed_gives_the_same_city_again(city):
    """--replace deletes the city and writes the same rows; others survive."""
    other_household = HouseholdFactory()
    before = snapshot()
    output = generate("--replace")
    assert "delete" in output
    assert snapshot() == before
    assert Household.objects.filter(pk=other_household.pk).exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="audit triggers exist on PostgreSQL only"
)
def test_audit_triggers_are_skipped_for_the_generator_only(city):
    """No audit events for generated rows; later writes are audited again."""
    HouseholdEvent = apps.get_model("grids", "HouseholdEvent")
    households = rows(Household)
    assert not HouseholdEvent.objects.filter(pgh_obj__in=households).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('session_replication_role')")
        assert cursor.fetchone()[0] == "origin"
    household = households.first()
    household.member_count += 1
    household.save()
    assert HouseholdEvent.objects.filter(pgh_obj=household).exists()
