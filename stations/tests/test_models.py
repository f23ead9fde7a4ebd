"""Model rules of the organisation: persons and assignments."""

import datetime

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction

from grids.tests.factories import GridFactory
from stations.models import Assignment, Person
from stations.tests.factories import (
    AssignmentFactory,
    BureauFactory,
    PersonFactory,
    PostFactory,
    StationFactory,
)

pytestmark = pytest.mark.django_db

JAN_1 = datetime.date(2026, 1, 1)
JAN_31 = datetime.date(2026, 1, 31)
FEB_1 = datetime.date(2026, 2, 1)


@pytest.fixture
def station():
    return StationFactory()


@pytest.fixture
def grid(station):
    return GridFactory(area__station=station)


@pytest.fixture
def post(station):
    return PostFactory(station=station)


@pytest.fixture
def person(station):
    return PersonFactory(station=station)


def assignment(person, **fields):
    """Return an unsaved responsible assignment starting on 1 January."""
    fields.setdefault("role", Assignment.Role.RESPONSIBLE)
    fields.setdefault("start", JAN_1)
    return Assignment(person=person, **fields)


#
# Person
#


def test_person_bureau_is_taken_from_the_station(station):
    """full_clean fills the bureau from the station when it is left empty."""
    person = Person(name="李四", kind=Person.Kind.OFFICER, station=station)
    person.full_clean()
    assert person.bureau == station.bureau


def test_person_station_of_another_bureau_is_rejected(station):
    """A station of another bureau than the person's is an error on ``station``."""
    person = Person(
        name="李四", kind=Person.Kind.OFFICER, station=station, bureau=BureauFactory()
    )
    with pytest.raises(ValidationError, match="another bureau") as caught:
        person.full_clean()
    assert "station" in caught.value.message_dict


def test_chief_without_station_is_rejected():
    """A station chief must belong to a station."""
    person = Person(
        name="王五", kind=Person.Kind.OFFICER, bureau=BureauFactory(), is_chief=True
    )
    with pytest.raises(ValidationError, match="chief must belong to a station"):
        person.full_clean()


def test_chief_without_station_is_refused_by_the_database(station):
    """The database refuses a chief without a station."""
    chief = PersonFactory(station=station, is_chief=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.filter(pk=chief.pk).update(station=None)


def test_bureau_staff_need_a_bureau():
    """Without a station, the bureau is required."""
    person = Person(name="赵六", kind=Person.Kind.OFFICER)
    with pytest.raises(
        ValidationError, match="bureau for county bureau staff"
    ) as caught:
        person.full_clean()
    assert "bureau" in caught.value.message_dict


def test_bureau_staff_with_bureau_are_accepted():
    """Bureau staff have a bureau and no station."""
    person = Person(name="赵六", kind=Person.Kind.OFFICER, bureau=BureauFactory())
    person.full_clean()
    assert person.station is None


#
# Assignment: grid XOR post
#


def test_assignment_to_grid_is_accepted(person, grid):
    """An assignment to a grid of the person's station is valid."""
    assignment(person, grid=grid).full_clean()


def test_assignment_to_post_is_accepted(person, post):
    """An assignment to a post of the person's station is valid."""
    assignment(person, post=post).full_clean()


def test_assignment_to_grid_and_post_is_rejected(person, grid, post):
    """An assignment names one grid or one post, not both."""
    with pytest.raises(ValidationError, match="exactly one grid or one post") as caught:
        assignment(person, grid=grid, post=post).full_clean()
    assert NON_FIELD_ERRORS in caught.value.message_dict


def test_assignment_to_nothing_is_rejected(person):
    """An assignment names one grid or one post, not neither."""
    with pytest.raises(ValidationError, match="exactly one grid or one post"):
        assignment(person).full_clean()


def test_grid_and_post_are_refused_by_the_database(person, grid, post):
    """The database refuses an assignment with both a grid and a post."""
    saved = AssignmentFactory(person=person, grid=grid)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=saved.pk).update(post=post)


def test_neither_grid_nor_post_is_refused_by_the_database(person, grid):
    """The database refuses an assignment with neither grid nor post."""
    saved = AssignmentFactory(person=person, grid=grid)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=saved.pk).update(grid=None)


#
# Assignment: dates and stations
#


def test_end_before_start_is_rejected(person, grid):
    """The end date cannot precede the start date."""
    with pytest.raises(ValidationError, match="end date cannot be before") as caught:
        assignment(person, grid=grid, start=FEB_1, end=JAN_31).full_clean()
    assert "end" in caught.value.message_dict


def test_end_on_start_day_is_accepted(person, grid):
    """A one-day assignment (end == start) is valid."""
    assignment(person, grid=grid, start=JAN_1, end=JAN_1).full_clean()


def test_end_before_start_is_refused_by_the_database(person, grid):
    """The database refuses an end before the start."""
    saved = AssignmentFactory(person=person, grid=grid, start=FEB_1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.filter(pk=saved.pk).update(end=JAN_31)


def test_grid_of_another_station_is_rejected(person):
    """A grid of another station than the person's is an error on ``grid``."""
    foreign = GridFactory()
    with pytest.raises(
        ValidationError, match="grid belongs to another station"
    ) as caught:
        assignment(person, grid=foreign).full_clean()
    assert "grid" in caught.value.message_dict


def test_post_of_another_station_is_rejected(person):
    """A post of another station than the person's is an error on ``post``."""
    foreign = PostFactory()
    with pytest.raises(
        ValidationError, match="post belongs to another station"
    ) as caught:
        assignment(person, post=foreign).full_clean()
    assert "post" in caught.value.message_dict


#
# Assignment: one responsible person per grid
#


def test_second_overlapping_responsible_is_rejected(station, grid):
    """A grid has one responsible person at a time; the error is on ``role``."""
    first = PersonFactory(station=station, name="第一责任民警")
    AssignmentFactory(person=first, grid=grid, start=JAN_1, end=None)
    second = PersonFactory(station=station)
    with pytest.raises(ValidationError, match="第一责任民警") as caught:
        assignment(second, grid=grid, start=FEB_1).full_clean()
    assert "role" in caught.value.message_dict


def test_overlap_by_one_day_is_rejected(station, grid):
    """Sharing a single day (the first's end day) is an overlap."""
    AssignmentFactory(person=PersonFactory(station=station), grid=grid, end=JAN_31)
    second = PersonFactory(station=station)
    with pytest.raises(ValidationError) as caught:
        assignment(second, grid=grid, start=JAN_31).full_clean()
    assert "role" in caught.value.message_dict


def test_later_responsible_after_the_first_ended_is_accepted(station, grid):
    """A responsible person may follow one whose assignment ended the day before."""
    AssignmentFactory(person=PersonFactory(station=station), grid=grid, end=JAN_31)
    assignment(PersonFactory(station=station), grid=grid, start=FEB_1).full_clean()


def test_earlier_responsible_before_the_first_started_is_accepted(station, grid):
    """A closed assignment ending before another starts does not overlap it."""
    AssignmentFactory(person=PersonFactory(station=station), grid=grid, start=FEB_1)
    earlier = assignment(
        PersonFactory(station=station), grid=grid, start=JAN_1, end=JAN_31
    )
    earlier.full_clean()


def test_assistant_may_overlap_the_responsible(station, grid):
    """Only responsible assignments are exclusive; assistants may overlap."""
    AssignmentFactory(person=PersonFactory(station=station), grid=grid)
    assistant = assignment(
        PersonFactory(station=station), grid=grid, role=Assignment.Role.ASSISTANT
    )
    assistant.full_clean()


def test_responsible_assignment_revalidates_against_itself(person, grid):
    """Editing a saved responsible assignment does not collide with itself."""
    saved = AssignmentFactory(person=person, grid=grid)
    saved.end = JAN_31
    saved.full_clean()


#
# Assignment.objects.current
#


def test_current_includes_start_and_end_days(person, grid):
    """``current(on=...)`` counts the start and end days as inside."""
    held = AssignmentFactory(person=person, grid=grid, start=JAN_1, end=JAN_31)
    for day in (JAN_1, datetime.date(2026, 1, 15), JAN_31):
        assert list(Assignment.objects.current(on=day)) == [held]


def test_current_excludes_days_outside(person, grid):
    """``current(on=...)`` excludes the day before start and the day after end."""
    AssignmentFactory(person=person, grid=grid, start=JAN_1, end=JAN_31)
    for day in (datetime.date(2025, 12, 31), FEB_1):
        assert not Assignment.objects.current(on=day).exists()


def test_current_includes_open_ended_assignments(person, grid):
    """An assignment without an end is current on any day from its start."""
    held = AssignmentFactory(person=person, grid=grid, start=JAN_1, end=None)
    assert list(Assignment.objects.current(on=datetime.date(2030, 6, 1))) == [held]
    assert not Assignment.objects.current(on=datetime.date(2025, 12, 31)).exists()
