"""GeoJSON geometry in WGS84, validated without GDAL (shapely only).

Geometry is stored as plain GeoJSON in JSON columns, longitude first, in
WGS84 (EPSG:4326). Chinese web maps use the GCJ-02 or BD-09 datums, which are
offset by hundreds of metres: convert to WGS84 before storing.
"""

import math
from collections.abc import Iterable
from typing import Any

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape
from shapely.validation import explain_validity

NOT_AN_OBJECT = _("Enter a GeoJSON geometry object.")
WRONG_TYPE = _("Expected a GeoJSON geometry of type {expected}, got {got}.")
BAD_COORDINATES = _("The coordinates are not a valid {kind} structure.")
BAD_POSITION = _("Each position must be [longitude, latitude] in decimal degrees.")
OUT_OF_RANGE = _(
    "Position {position} is outside WGS84 range "
    "(longitude -180 to 180, latitude -90 to 90)."
)
RING_NOT_CLOSED = _("Ring {ring} is not closed: its first and last positions differ.")
RING_TOO_SHORT = _("Ring {ring} needs at least 4 positions (a closed triangle).")
INVALID_SHAPE = _("The polygon is not valid: {reason}.")
EMPTY_POLYGON = _("The polygon has no area.")
TOO_MANY_VERTICES = _("The shape has {count} vertices, more than {limit}: simplify it.")
TOO_MANY_PARTS = _("The MultiPolygon has {count} parts, more than {limit}.")

POLYGON_TYPES = ("Polygon", "MultiPolygon")
# Not "invalid": Django's JSONField would replace the message with its own
# "Value must be valid JSON." for that code.
INVALID = "invalid_geometry"


def validate_point(value: Any) -> None:
    """Raise ValidationError unless ``value`` is a GeoJSON Point in WGS84."""
    _check_type(value, ("Point",))
    _check_position(value.get("coordinates"))


def validate_polygon(value: Any) -> None:
    """Raise ValidationError unless ``value`` is a valid (Multi)Polygon.

    Rings must be closed and have at least four positions, every position
    must lie in WGS84 range, and the shape must be valid in the OGC sense
    (no self-intersection, holes inside their shell), because point-in-polygon
    answers are meaningless on an invalid shape.
    """
    _check_type(value, POLYGON_TYPES)
    coordinates = value.get("coordinates")
    polygons = [coordinates] if value["type"] == "Polygon" else coordinates
    if not _is_list(polygons) or not polygons:
        raise ValidationError(BAD_COORDINATES.format(kind=value["type"]), code=INVALID)
    _check_size(polygons)
    ring_number = 0
    for polygon in polygons:
        if not _is_list(polygon) or not polygon:
            raise ValidationError(
                BAD_COORDINATES.format(kind=value["type"]), code=INVALID
            )
        for ring in polygon:
            ring_number += 1
            _check_ring(ring, ring_number)
    try:
        geometry = shape(value)
    except (ValueError, TypeError, shapely.errors.GEOSException):
        # e.g. a ring mixing 2-D and 3-D positions
        raise ValidationError(
            BAD_COORDINATES.format(kind=value["type"]), code=INVALID
        ) from None
    if not geometry.is_valid:
        raise ValidationError(
            INVALID_SHAPE.format(reason=explain_validity(geometry)), code=INVALID
        )
    if geometry.area == 0:
        raise ValidationError(EMPTY_POLYGON, code=INVALID)


def vertex_count(value: Any) -> int:
    """Return the number of positions in a (Multi)Polygon's rings, 0 for
    anything else; cheap, for bounds checked before validation."""
    if not isinstance(value, dict) or value.get("type") not in POLYGON_TYPES:
        return 0
    coordinates = value.get("coordinates")
    polygons = [coordinates] if value["type"] == "Polygon" else coordinates
    return _positions(polygons) if _is_list(polygons) else 0


def _positions(polygons: list) -> int:
    return sum(
        len(ring) if _is_list(ring) else 0
        for polygon in polygons
        if _is_list(polygon)
        for ring in polygon
    )


def _check_size(polygons: list) -> None:
    """Bound a shape's parts and vertices (issue 27, item 1): a grid or area
    with a million vertices made every map page 30 MB and 5 s."""
    max_parts = settings.MAP_MAX_PARTS
    max_vertices = settings.MAP_MAX_VERTICES_PER_POLYGON
    if len(polygons) > max_parts:
        raise ValidationError(
            TOO_MANY_PARTS.format(count=len(polygons), limit=max_parts), code=INVALID
        )
    count = _positions(polygons)
    if count > max_vertices:
        raise ValidationError(
            TOO_MANY_VERTICES.format(count=f"{count:,}", limit=f"{max_vertices:,}"),
            code=INVALID,
        )


def to_shape(value: dict) -> shapely.Geometry:
    """Return the shapely geometry of a validated GeoJSON object."""
    return shape(value)


def bounds(value: dict) -> tuple[float, float, float, float]:
    """Return ``(min_lon, min_lat, max_lon, max_lat)`` of a GeoJSON object."""
    return tuple(shape(value).bounds)


def first_covering(point: dict, candidates: Iterable[tuple[int, dict]]) -> int | None:
    """Return the smallest id among candidates whose polygon covers the point.

    ``covers`` counts the boundary as inside, so a point on an edge shared by
    two grids belongs to both; taking the smallest id makes the choice
    deterministic and stable over time (older grids win).
    """
    location = shape(point)
    covering = [pk for pk, boundary in candidates if shape(boundary).covers(location)]
    return min(covering, default=None)


def _check_type(value: Any, expected: tuple[str, ...]) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise ValidationError(NOT_AN_OBJECT, code=INVALID)
    if value["type"] not in expected:
        raise ValidationError(
            WRONG_TYPE.format(expected=" / ".join(expected), got=value["type"][:40]),
            code=INVALID,
        )


def _check_ring(ring: Any, number: int) -> None:
    if not _is_list(ring):
        raise ValidationError(BAD_COORDINATES.format(kind="Polygon"), code=INVALID)
    for position in ring:
        _check_position(position)
    if len(ring) < 4:
        raise ValidationError(RING_TOO_SHORT.format(ring=number), code=INVALID)
    if list(ring[0][:2]) != list(ring[-1][:2]):
        raise ValidationError(RING_NOT_CLOSED.format(ring=number), code=INVALID)


def _check_position(position: Any) -> None:
    if not _is_list(position) or len(position) not in (2, 3):
        raise ValidationError(BAD_POSITION, code=INVALID)
    if not all(_is_number(c) for c in position):
        raise ValidationError(BAD_POSITION, code=INVALID)
    lon, lat = position[0], position[1]
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError(
            OUT_OF_RANGE.format(position=f"[{lon:.6g}, {lat:.6g}]"), code=INVALID
        )


def _is_list(value: Any) -> bool:
    return isinstance(value, list | tuple)


def _is_number(value: Any) -> bool:
    # The magnitude test comes first: math.isfinite() overflows on huge ints.
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and abs(value) < 1e6
        and math.isfinite(value)
    )
