"""GeoJSON validation and point-in-polygon (policing.geometry), without the DB."""

import contextlib
import math

import pytest
from django.core.exceptions import ValidationError
from hypothesis import example, given, settings
from hypothesis import strategies as st

from grids.tests.factories import point, square
from policing import geometry


def ring_of(*positions):
    """Return a Polygon with one ring made of ``positions``."""
    return {"type": "Polygon", "coordinates": [list(positions)]}


BOW_TIE = ring_of([0, 0], [1, 1], [1, 0], [0, 1], [0, 0])
MIXED_DIMENSIONS = ring_of([0, 0], [1, 0, 5], [1, 1], [0, 0])
HUGE_INT = 10**400


#
# validate_polygon
#


def test_square_is_accepted():
    """A closed square in WGS84 range is a valid polygon."""
    geometry.validate_polygon(square(103.8, 25.49))


def test_square_with_hole_is_accepted():
    """A hole inside its shell is valid."""
    shell = square(103.0, 25.0, 1.0)["coordinates"][0]
    hole = square(103.25, 25.25, 0.5)["coordinates"][0]
    geometry.validate_polygon({"type": "Polygon", "coordinates": [shell, hole]})


def test_multipolygon_is_accepted():
    """A MultiPolygon of two disjoint squares is valid."""
    parts = [square(103.0, 25.0)["coordinates"], square(104.0, 25.0)["coordinates"]]
    geometry.validate_polygon({"type": "MultiPolygon", "coordinates": parts})


def test_bow_tie_is_rejected_as_self_intersecting():
    """A bow-tie polygon is rejected, and the message names the self-intersection."""
    with pytest.raises(ValidationError, match="not valid: Self-intersection"):
        geometry.validate_polygon(BOW_TIE)


def test_unclosed_ring_is_rejected():
    """A ring whose first and last positions differ is rejected."""
    value = ring_of([0, 0], [1, 0], [1, 1], [0, 1], [0, 0.5])
    with pytest.raises(ValidationError, match="Ring 1 is not closed"):
        geometry.validate_polygon(value)


def test_ring_of_three_positions_is_rejected():
    """A ring needs at least four positions, even when closed."""
    with pytest.raises(ValidationError, match="needs at least 4 positions"):
        geometry.validate_polygon(ring_of([0, 0], [1, 0], [0, 0]))


def test_unclosed_hole_is_reported_as_ring_2():
    """The message numbers the faulty ring, counting the shell as ring 1."""
    shell = square(103.0, 25.0, 1.0)["coordinates"][0]
    hole = [[103.2, 25.2], [103.4, 25.2], [103.4, 25.4], [103.2, 25.4]]
    with pytest.raises(ValidationError, match="Ring 2 is not closed"):
        geometry.validate_polygon({"type": "Polygon", "coordinates": [shell, hole]})


def test_longitude_200_is_rejected():
    """A longitude beyond 180 is outside the WGS84 range."""
    with pytest.raises(ValidationError, match="outside WGS84 range"):
        geometry.validate_polygon(square(200, 25))


def test_latitude_minus_95_is_rejected():
    """A latitude below -90 is outside the WGS84 range."""
    with pytest.raises(ValidationError, match="outside WGS84 range"):
        geometry.validate_polygon(square(103, -95))


@pytest.mark.parametrize("value", [None, [], 42, ["Polygon"], {"coordinates": []}])
def test_non_object_is_rejected(value):
    """Anything but an object with a string ``type`` is not a GeoJSON geometry."""
    with pytest.raises(ValidationError, match="Enter a GeoJSON geometry object"):
        geometry.validate_polygon(value)


def test_string_is_rejected():
    """A string (even GeoJSON text) is not a geometry object."""
    text = '{"type": "Polygon", "coordinates": []}'
    with pytest.raises(ValidationError, match="Enter a GeoJSON geometry object"):
        geometry.validate_polygon(text)


def test_non_string_type_is_rejected():
    """A ``type`` that is not a string is not a GeoJSON geometry."""
    with pytest.raises(ValidationError, match="Enter a GeoJSON geometry object"):
        geometry.validate_polygon({"type": 7, "coordinates": []})


def test_point_where_polygon_expected_is_rejected():
    """A Point is refused where a polygon is expected, naming both types."""
    with pytest.raises(ValidationError, match="Polygon / MultiPolygon, got Point"):
        geometry.validate_polygon(point(103.8, 25.49))


def test_unknown_type_is_rejected():
    """A type that is not a polygon type is refused."""
    value = {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}
    with pytest.raises(ValidationError, match="got LineString"):
        geometry.validate_polygon(value)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, True, False, "1", None])
def test_non_numeric_coordinate_is_rejected(bad):
    """NaN, infinities, booleans, strings and null are not coordinates."""
    value = ring_of([0, 0], [1, 0], [1, bad], [0, 1], [0, 0])
    with pytest.raises(ValidationError, match="Each position must be"):
        geometry.validate_polygon(value)


@pytest.mark.parametrize(
    "coordinates",
    [
        [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]],  # a ring, not a list of rings
        [[[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]],  # one level too deep
        [[[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0]]],  # 4-D positions
        [[[0], [1], [2], [0]]],  # 1-D positions
        [],
        [[]],
        None,
        {"0": [[0, 0]]},
    ],
)
def test_wrong_nesting_is_rejected(coordinates):
    """Coordinates nested at the wrong depth are rejected."""
    with pytest.raises(ValidationError):
        geometry.validate_polygon({"type": "Polygon", "coordinates": coordinates})


def test_multipolygon_with_polygon_nesting_is_rejected():
    """A MultiPolygon whose coordinates are those of a Polygon is rejected."""
    value = {"type": "MultiPolygon", "coordinates": square(0, 0)["coordinates"]}
    with pytest.raises(ValidationError, match="Each position must be"):
        geometry.validate_polygon(value)


def test_zero_area_polygon_is_rejected():
    """A closed ring along a line encloses no area and is rejected."""
    value = ring_of([0, 0], [1, 0], [2, 0], [0, 0])
    with pytest.raises(ValidationError, match=r"not valid|no area"):
        geometry.validate_polygon(value)


def test_overlapping_multipolygon_is_rejected():
    """The parts of a MultiPolygon may not overlap."""
    parts = [square(0, 0, 1)["coordinates"], square(0.5, 0.5, 1)["coordinates"]]
    with pytest.raises(ValidationError, match="not valid"):
        geometry.validate_polygon({"type": "MultiPolygon", "coordinates": parts})


def test_mixed_2d_and_3d_positions_are_rejected():
    """A ring mixing [lon, lat] and [lon, lat, z] is rejected, never a ValueError."""
    with pytest.raises(ValidationError):
        geometry.validate_polygon(MIXED_DIMENSIONS)


def test_integer_beyond_float_range_is_rejected_in_polygon():
    """A coordinate too large for a float is rejected, never an OverflowError."""
    with pytest.raises(ValidationError):
        geometry.validate_polygon(ring_of([0, 0], [1, 0], [HUGE_INT, 1], [0, 0]))


#
# validate_point
#


@pytest.mark.parametrize(
    "value",
    [
        point(103.8, 25.49),
        point(-180, -90),
        point(180, 90),
        point(0, 0),
        {"type": "Point", "coordinates": [103.8, 25.49, 1850.0]},
    ],
)
def test_point_is_accepted(value):
    """A Point with 2 or 3 coordinates in WGS84 range (edges included) is valid."""
    geometry.validate_point(value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (point(200, 25), "outside WGS84 range"),
        (point(103, -95), "outside WGS84 range"),
        (point(math.nan, 25), "Each position must be"),
        (point(True, 25), "Each position must be"),
        (point("103.8", 25), "Each position must be"),
        ({"type": "Point", "coordinates": [103.8]}, "Each position must be"),
        ({"type": "Point", "coordinates": [1, 2, 3, 4]}, "Each position must be"),
        ({"type": "Point", "coordinates": [[103.8, 25.49]]}, "Each position must be"),
        ({"type": "Point"}, "Each position must be"),
        (square(103.8, 25.49), "type Point, got Polygon"),
        ("POINT (103.8 25.49)", "Enter a GeoJSON geometry object"),
        ([103.8, 25.49], "Enter a GeoJSON geometry object"),
        (None, "Enter a GeoJSON geometry object"),
    ],
)
def test_bad_point_is_rejected(value, message):
    """A malformed or out-of-range Point is rejected with a matching message."""
    with pytest.raises(ValidationError, match=message):
        geometry.validate_point(value)


def test_integer_beyond_float_range_is_rejected_in_point():
    """A coordinate too large for a float is rejected, never an OverflowError."""
    with pytest.raises(ValidationError):
        geometry.validate_point(point(HUGE_INT, 25))


#
# first_covering
#


def test_point_on_shared_edge_goes_to_smaller_id():
    """A point on the edge shared by two squares goes to the smaller id."""
    west, east = square(103.0, 25.0), square(103.01, 25.0)
    on_edge = point(103.01, 25.005)
    assert geometry.first_covering(on_edge, [(7, east), (3, west)]) == 3
    assert geometry.first_covering(on_edge, [(3, east), (7, west)]) == 3


def test_point_inside_one_polygon_goes_to_it():
    """A point strictly inside one candidate gets that candidate's id."""
    west, east = square(103.0, 25.0), square(103.01, 25.0)
    inside_east = point(103.015, 25.005)
    assert geometry.first_covering(inside_east, [(3, west), (7, east)]) == 7


def test_point_outside_every_polygon_gets_none():
    """A point outside every candidate gets None."""
    west, east = square(103.0, 25.0), square(103.01, 25.0)
    assert geometry.first_covering(point(110, 30), [(3, west), (7, east)]) is None
    assert geometry.first_covering(point(110, 30), []) is None


def test_bounds_of_square():
    """``bounds`` gives (min lon, min lat, max lon, max lat)."""
    assert geometry.bounds(square(103.0, 25.0, 0.5)) == (103.0, 25.0, 103.5, 25.5)


#
# Properties: never anything but ValidationError
#

JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text()
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=40,
)
GEOMETRY_TYPES = st.sampled_from(["Point", "Polygon", "MultiPolygon"])
GEOJSON_LIKE = JSON_VALUES | st.fixed_dictionaries(
    {"type": GEOMETRY_TYPES, "coordinates": JSON_VALUES}
)

# Values shaped like GeoJSON: positions of 1 to 4 numbers (in and out of range,
# integers beyond float range included), rings often closed, nested 0-3 deep.
NUMBERS = (
    st.floats(-200, 200)
    | st.integers(-200, 200)
    | st.floats()
    | st.integers(min_value=-(10**400), max_value=10**400)
)
POSITIONS = st.lists(NUMBERS, min_size=1, max_size=4)


@st.composite
def rings(draw):
    positions = draw(st.lists(POSITIONS, min_size=0, max_size=7))
    if positions and draw(st.booleans()):
        positions.append(list(positions[0]))
    return positions


SHAPED_COORDINATES = st.one_of(
    POSITIONS,
    rings(),
    st.lists(rings(), max_size=3),
    st.lists(st.lists(rings(), max_size=3), max_size=3),
)
SHAPED_GEOJSON = st.fixed_dictionaries(
    {"type": GEOMETRY_TYPES, "coordinates": SHAPED_COORDINATES}
)


def only_validation_error(validate, value):
    """Call ``validate`` and let through nothing but ValidationError."""
    with contextlib.suppress(ValidationError):
        validate(value)


@pytest.mark.db_independent
@settings(max_examples=500, database=None)
@given(GEOJSON_LIKE)
def test_validate_polygon_raises_only_validation_error(value):
    """validate_polygon raises nothing but ValidationError on any JSON value."""
    only_validation_error(geometry.validate_polygon, value)


@pytest.mark.db_independent
@settings(max_examples=500, database=None)
@given(GEOJSON_LIKE)
def test_validate_point_raises_only_validation_error(value):
    """validate_point raises nothing but ValidationError on any JSON value."""
    only_validation_error(geometry.validate_point, value)


@pytest.mark.db_independent
@settings(max_examples=500, database=None)
@given(SHAPED_GEOJSON)
@example(MIXED_DIMENSIONS)
def test_validate_polygon_raises_only_validation_error_on_shaped_values(value):
    """validate_polygon raises nothing but ValidationError on GeoJSON-shaped values."""
    only_validation_error(geometry.validate_polygon, value)


@pytest.mark.db_independent
@settings(max_examples=500, database=None)
@given(SHAPED_GEOJSON)
@example(point(HUGE_INT, 25))
def test_validate_point_raises_only_validation_error_on_shaped_values(value):
    """validate_point raises nothing but ValidationError on GeoJSON-shaped values."""
    only_validation_error(geometry.validate_point, value)
