import pytest

from grids import services
from grids.tests.factories import (
    AreaFactory,
    GridFactory,
    HouseholdFactory,
    point,
    square,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_grids():
    area = AreaFactory()
    west = GridFactory(area=area, boundary=square(120.0, 40.0))
    east = GridFactory(area=area, boundary=square(120.01, 40.0))
    return west, east


def test_household_follows_a_moved_boundary(two_grids):
    """A household now covered by the grown west grid moves into it."""
    west, east = two_grids
    household = HouseholdFactory(grid=east, location=point(120.012, 40.005))
    untouched = HouseholdFactory(grid=east, location=point(120.018, 40.005))
    west.boundary = square(120.0, 40.0, size=0.015)
    west.save()

    counts = services.relocate_households(grid_ids=[west.pk])

    household.refresh_from_db()
    untouched.refresh_from_db()
    # The grown west grid overlaps east: on the overlap the smaller id wins.
    assert household.grid == west
    assert untouched.grid == east
    assert counts == {"checked": 2, "moved": 1, "outside": 0}


def test_household_left_outside_every_grid_keeps_its_grid(two_grids):
    """A household that no grid covers any more stays put and is counted."""
    west, _east = two_grids
    household = HouseholdFactory(grid=west, location=point(120.002, 40.002))
    west.boundary = square(120.005, 40.0, size=0.005)
    west.save()

    counts = services.relocate_households(grid_ids=[west.pk])

    household.refresh_from_db()
    assert household.grid == west
    assert counts["outside"] == 1
    assert counts["moved"] == 0


def test_no_grids_means_nothing_to_do():
    """Unknown grid ids check nothing."""
    assert services.relocate_households(grid_ids=[424242]) == {
        "checked": 0,
        "moved": 0,
        "outside": 0,
    }
