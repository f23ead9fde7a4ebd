"""Model rules of the territory: grids, households and residents."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from grids import national_id
from grids.models import Grid, Household, Resident
from grids.tests.factories import (
    AreaFactory,
    GridFactory,
    HouseholdFactory,
    ResidentFactory,
    point,
    square,
    valid_id_number,
)

pytestmark = pytest.mark.django_db

# Far from the factories' lattice (longitude 100-102, latitude 30-32).
WEST_CORNER = (120.0, 40.0)
EAST_CORNER = (120.01, 40.0)
SHARED_EDGE = point(120.01, 40.005)


@pytest.fixture
def neighbours():
    """Two adjacent squares of one area sharing an edge; the east one is older."""
    area = AreaFactory()
    east = GridFactory(area=area, boundary=square(*EAST_CORNER))
    west = GridFactory(area=area, boundary=square(*WEST_CORNER))
    assert east.pk < west.pk
    return west, east


def resident_for(household, **fields):
    """Return an unsaved resident of ``household`` with a valid number."""
    resident = Resident(name="张三", household=household, **fields)
    resident.id_number = valid_id_number(901, region="110105", birth="19851224")
    return resident


#
# Grid
#


def test_save_fills_the_bounding_box():
    """Saving a grid stores the bounding box of its boundary."""
    grid = GridFactory(boundary=square(120.0, 40.0, 0.5))
    grid.refresh_from_db()
    assert (grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat) == pytest.approx(
        (120.0, 40.0, 120.5, 40.5)
    )


def test_save_updates_the_bounding_box():
    """Changing the boundary moves the stored bounding box with it."""
    grid = GridFactory(boundary=square(120.0, 40.0))
    grid.boundary = square(121.0, 41.0, 0.2)
    grid.save()
    grid.refresh_from_db()
    assert (grid.min_lon, grid.min_lat, grid.max_lon, grid.max_lat) == pytest.approx(
        (121.0, 41.0, 121.2, 41.2)
    )


def test_locate_finds_the_grid_of_an_inside_point(neighbours):
    """A point inside a grid is located in that grid."""
    west, east = neighbours
    assert Grid.locate(point(120.005, 40.005)) == west
    assert Grid.locate(point(120.015, 40.005)) == east


def test_locate_gives_none_outside_every_grid(neighbours):
    """A point in no grid is located nowhere."""
    assert Grid.locate(point(120.03, 40.005)) is None
    assert Grid.locate(point(0, 0)) is None


def test_locate_on_a_shared_edge_gives_the_smaller_id(neighbours):
    """A point on the shared edge belongs to the grid with the smaller id."""
    west, east = neighbours
    assert Grid.locate(SHARED_EDGE) == min(west, east, key=lambda g: g.pk)


def test_locate_among_restricts_the_candidates(neighbours):
    """``among`` limits the search to the given grids."""
    west, _east = neighbours
    among = Grid.objects.filter(pk=west.pk)
    assert Grid.locate(SHARED_EDGE, among=among) == west
    assert Grid.locate(point(120.015, 40.005), among=among) is None


#
# Household
#


def test_household_grid_is_derived_from_the_location(neighbours):
    """full_clean fills the grid from the location when none is given."""
    west, _east = neighbours
    household = Household(address="建设路1号", location=point(120.005, 40.005))
    household.full_clean()
    assert household.grid == west


def test_household_grid_given_is_kept(neighbours):
    """A given grid is not overridden by the location."""
    _west, east = neighbours
    household = Household(
        address="建设路1号", grid=east, location=point(120.005, 40.005)
    )
    household.full_clean()
    assert household.grid == east


def test_household_location_in_no_grid_is_rejected(neighbours):
    """A location outside every grid is an error on ``location``."""
    household = Household(address="建设路1号", location=point(0, 0))
    with pytest.raises(ValidationError, match="not inside any grid") as caught:
        household.full_clean()
    assert "location" in caught.value.message_dict


def test_household_without_grid_or_location_is_rejected():
    """Without grid and location, the error is on ``grid``."""
    household = Household(address="建设路1号")
    with pytest.raises(ValidationError, match="grid or a location") as caught:
        household.full_clean()
    assert "grid" in caught.value.message_dict


def test_household_with_invalid_location_reports_the_location():
    """An invalid location is reported on ``location``, not as a missing grid."""
    household = Household(address="建设路1号", location=point(200, 40))
    with pytest.raises(ValidationError) as caught:
        household.full_clean()
    assert "location" in caught.value.message_dict


#
# Resident
#


def test_setting_id_number_fills_the_stored_columns():
    """Setting ``id_number`` fills ciphertext, blind index and mask."""
    number = valid_id_number(901, region="110105", birth="19851224")
    resident = ResidentFactory(id_number=number)
    assert national_id.decrypt(resident.id_number_encrypted) == number
    assert resident.id_number_hash == national_id.blind_index(number)
    assert resident.id_number_masked == national_id.mask(number)


def test_clear_number_is_in_no_column():
    """The stored row contains the clear number in none of its columns."""
    number = valid_id_number(901, region="110105", birth="19851224")
    resident = ResidentFactory(id_number=number)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM grids_resident WHERE id = %s", [resident.pk])
        row = cursor.fetchone()
    assert row is not None
    for column in row:
        assert number not in str(column)
        assert number[:17] not in str(column)


def test_id_number_reads_back_the_mask():
    """``resident.id_number`` is the masked number, also after a reload."""
    number = valid_id_number(901, region="110105", birth="19851224")
    resident = ResidentFactory(id_number=number)
    resident = Resident.objects.get(pk=resident.pk)
    assert resident.id_number == national_id.mask(number)
    assert resident.id_number != number


def test_id_number_setter_rejects_a_bad_number():
    """Setting a malformed number raises ValidationError and changes nothing."""
    number = valid_id_number(5)
    resident = Resident(name="张三")
    with pytest.raises(ValidationError, match="check digit"):
        resident.id_number = number[:-1] + ("1" if number[-1] != "1" else "2")
    assert resident.id_number_encrypted == ""


def test_key_person_without_category_is_rejected():
    """A key person needs a category."""
    resident = resident_for(HouseholdFactory(), is_key_person=True)
    with pytest.raises(ValidationError, match="key-person category") as caught:
        resident.full_clean()
    assert "key_person_category" in caught.value.message_dict


def test_category_without_key_person_is_rejected():
    """Only a key person has a category."""
    resident = resident_for(
        HouseholdFactory(),
        key_person_category=Resident.KeyPersonCategory.DRUG_USER,
    )
    with pytest.raises(ValidationError, match="Only a key person") as caught:
        resident.full_clean()
    assert "key_person_category" in caught.value.message_dict


def test_key_person_with_category_is_accepted():
    """A key person with a category passes validation."""
    resident = resident_for(
        HouseholdFactory(),
        is_key_person=True,
        key_person_category=Resident.KeyPersonCategory.PETITIONER,
    )
    resident.full_clean()


def test_resident_without_id_number_is_rejected():
    """A resident must have a national ID number."""
    resident = Resident(name="张三", household=HouseholdFactory())
    with pytest.raises(ValidationError) as caught:
        resident.full_clean()
    assert "id_number" in caught.value.message_dict


#
# Database constraints (validation bypassed)
#


@pytest.mark.parametrize("complexity", [0, 4])
def test_grid_complexity_constraint(complexity):
    """The database refuses a grid complexity outside 1-3."""
    grid = GridFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Grid.objects.filter(pk=grid.pk).update(complexity=complexity)
    grid.refresh_from_db()
    assert grid.complexity == 2


def test_resident_category_constraint():
    """The database refuses a category on a resident who is not a key person."""
    resident = ResidentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Resident.objects.filter(pk=resident.pk).update(
            key_person_category=Resident.KeyPersonCategory.DRUG_USER
        )
    resident.refresh_from_db()
    assert resident.key_person_category == ""


#
# Geometry messages through full_clean
#


def test_grid_full_clean_names_the_self_intersection():
    """full_clean of a bow-tie boundary says the polygon self-intersects."""
    bow_tie = {
        "type": "Polygon",
        "coordinates": [[[120, 40], [121, 41], [121, 40], [120, 41], [120, 40]]],
    }
    grid = Grid(name="蝴蝶", code="BOWTIE", area=AreaFactory(), boundary=bow_tie)
    with pytest.raises(ValidationError, match="Self-intersection") as caught:
        grid.full_clean()
    assert "boundary" in caught.value.message_dict


def test_household_full_clean_names_the_wgs84_range():
    """full_clean of an out-of-range location says it is outside WGS84."""
    household = Household(address="建设路1号", location=point(200, 40))
    with pytest.raises(ValidationError, match="outside WGS84 range"):
        household.full_clean()
