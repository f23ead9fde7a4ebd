"""Grids and areas from and to GeoJSON FeatureCollections (the street office's map).

Each feature is a grid, or an area when its ``layer`` property is ``area``.

* Grid properties: ``code`` (required, the grid's key), ``name``, ``area``
  (the area's name), ``area_kind`` (community or village, for a new area),
  ``station`` (a station code; a chief's own station by default),
  ``population``, ``complexity`` (1-3).
* Area properties: ``name`` (the key, within its station), ``kind``,
  ``station``.

Every geometry is validated as SPEC §7 says; an invalid one is reported with
the feature's index and the reason. Grids that overlap one another, or an
existing grid of the scope, are reported as warnings: map files drawn by
hand overlap a little, and the office may accept that. Results have the
shape of :mod:`ledgers.sheets`, so the page shows both alike.
"""

import json

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from shapely import STRtree

from grids.models import Area, Grid
from grids.services import schedule_relocation
from ledgers import upload_limits
from ledgers.base import LedgerFileError, Outcome, Progress, RowOutcome
from ledgers.models import LedgerImportRow
from policing import geometry, parsers
from policing.scope import Role, scope_of
from stations.models import Station

#: An overlap below this share of the smaller grid is drawing noise.
OVERLAP_TOLERANCE = 0.01
AREA_KINDS = {
    "community": Area.Kind.COMMUNITY,
    "社区": Area.Kind.COMMUNITY,
    "village": Area.Kind.VILLAGE,
    "行政村": Area.Kind.VILLAGE,
    "村": Area.Kind.VILLAGE,
}
Action = LedgerImportRow.Action


def read_features(content: bytes) -> list:
    """The file's features, within the bounds on positions (issue 27, item 1)."""
    try:
        upload_limits.check_geojson_positions(content)
    except upload_limits.UploadTooLarge as error:
        raise LedgerFileError(str(error)) from None
    try:
        data = parsers.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise LedgerFileError(
            _("The file is not valid GeoJSON: %(reason)s") % {"reason": error}
        ) from error
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise LedgerFileError(_("The file must hold a GeoJSON FeatureCollection."))
    features = data.get("features")
    if not isinstance(features, list):
        raise LedgerFileError(_("The FeatureCollection has no list of features."))
    vertices = sum(
        geometry.vertex_count(feature.get("geometry"))
        for feature in features
        if isinstance(feature, dict)
    )
    if vertices > upload_limits.max_file_vertices():
        raise LedgerFileError(upload_limits.vertices_message(vertices))
    return features


def check(content: bytes, *, user, progress: Progress | None = None) -> Outcome:
    """Say per feature what importing the file would do; write nothing."""
    return _Import(user, progress).run(read_features(content), write=False)


def apply(content: bytes, *, user, progress: Progress | None = None) -> Outcome:
    """Import the file in one transaction: every feature or, on an error, none."""
    with transaction.atomic():
        outcome = _Import(user, progress).run(read_features(content), write=True)
        if outcome.has_errors:
            transaction.set_rollback(True)
    return outcome


class _Import:
    def __init__(self, user, progress):
        self.user = user
        self.scope = scope_of(user)
        self.progress = progress or (lambda done, total: None)
        self.stations = {
            station.code: station for station in Station.objects.in_scope_of(user)
        }
        self.areas = {
            (area.station_id, area.name): area
            for area in Area.objects.in_scope_of(user)
        }
        self.grids = {grid.code: grid for grid in Grid.objects.in_scope_of(user)}

    def run(self, features: list, *, write: bool) -> Outcome:
        rows, shapes, first_index = [], {}, {}
        total = len(features)
        for index, feature in enumerate(features):
            errors = []
            try:
                properties, boundary = self._parts(feature)
                key = (properties.get("layer") == "area", _key_of(feature))
                if key in first_index:
                    raise ValidationError(
                        {
                            "code": [
                                _("Feature %(first)s has the same code or name.")
                                % {"first": first_index[key]}
                            ]
                        }
                    )
                first_index[key] = index
                if properties.get("layer") == "area":
                    action, key = self._area(properties, boundary, write=write)
                else:
                    action, key = self._grid(properties, boundary, write=write)
                    shapes[key] = geometry.to_shape(boundary)
            except ValidationError as error:
                action = Action.INVALID
                key = _key_of(feature)
                errors = [
                    {"column": column, "message": message}
                    for column, messages in _by_property(error).items()
                    for message in messages
                ]
            rows.append(RowOutcome(number=index, action=action, key=key, errors=errors))
            self.progress(index + 1, total)
        return Outcome(rows=rows, warnings=self._overlaps(shapes))

    def _parts(self, feature) -> tuple[dict, dict]:
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            raise ValidationError({"": [_("Not a GeoJSON Feature.")]})
        properties = feature.get("properties") or {}
        if not isinstance(properties, dict):
            raise ValidationError({"properties": [_("Properties must be an object.")]})
        boundary = feature.get("geometry")
        try:
            geometry.validate_polygon(boundary)
        except ValidationError as error:
            raise ValidationError({"geometry": error.messages}) from error
        return properties, boundary

    def _station(self, properties: dict, fallback: int | None) -> Station:
        code = str(properties.get("station") or "").strip()
        if code:
            if code not in self.stations:
                raise ValidationError(
                    {
                        "station": [
                            _("No station with code %(code)s in your scope.")
                            % {"code": code}
                        ]
                    }
                )
            return self.stations[code]
        if fallback is not None:
            return Station.objects.get(pk=fallback)
        if self.scope.role is Role.CHIEF:
            return Station.objects.get(pk=self.scope.station_id)
        raise ValidationError({"station": [_("Give the station's code.")]})

    def _area(self, properties: dict, boundary: dict, *, write: bool):
        name = str(properties.get("name") or "").strip()
        if not name:
            raise ValidationError({"name": [_("An area needs a name.")]})
        station = self._station(properties, None)
        area = self.areas.get((station.pk, name))
        kind = AREA_KINDS.get(str(properties.get("kind") or "community").strip())
        if kind is None:
            raise ValidationError(
                {"kind": [_("Use community (社区) or village (行政村).")]}
            )
        if area is not None and area.boundary == boundary and area.kind == kind:
            return Action.SKIP, name
        action = Action.NEW if area is None else Action.UPDATE
        area = area or Area(station=station, name=name)
        area.kind, area.boundary = kind, boundary
        area.full_clean(exclude=["station"])
        if write:
            area.save()
        self.areas[(station.pk, name)] = area
        return action, name

    def _grid(self, properties: dict, boundary: dict, *, write: bool):
        code = str(properties.get("code") or "").strip()
        if not code:
            raise ValidationError({"code": [_("A grid needs a code.")]})
        grid = self.grids.get(code)
        if grid is None and Grid.objects.filter(code=code).exists():
            raise ValidationError(
                {"code": [_("This code belongs to a grid outside your scope.")]}
            )
        station = self._station(properties, grid.area.station_id if grid else None)
        area_name = str(properties.get("area") or "").strip()
        if area_name:
            area = self.areas.get((station.pk, area_name))
            if area is None:
                kind = AREA_KINDS.get(str(properties.get("area_kind") or "community"))
                area = Area(
                    station=station, name=area_name, kind=kind or Area.Kind.COMMUNITY
                )
                if write:
                    area.save()
                self.areas[(station.pk, area_name)] = area
        elif grid is not None:
            area = grid.area
        else:
            raise ValidationError({"area": [_("Name the grid's area.")]})
        values = {
            "name": str(
                properties.get("name") or (grid.name if grid else code)
            ).strip(),
            "boundary": boundary,
            "population": properties.get("population", grid.population if grid else 0),
            "complexity": properties.get("complexity", grid.complexity if grid else 1),
        }
        if (
            grid is not None
            and grid.area_id == area.pk
            and all(getattr(grid, name) == value for name, value in values.items())
        ):
            return Action.SKIP, code
        action = Action.NEW if grid is None else Action.UPDATE
        grid = grid or Grid(code=code)
        grid.area = area
        for name, value in values.items():
            setattr(grid, name, value)
        # A new area exists only once written; the code was checked above.
        grid.full_clean(
            exclude=["area"] if area.pk is None else None, validate_unique=False
        )
        if write:
            grid.save()
            schedule_relocation(grid)
        self.grids[code] = grid
        return action, code

    def _overlaps(self, shapes: dict) -> list[str]:
        """Warn of imported grids overlapping each other or a grid of the scope."""
        existing = {
            code: geometry.to_shape(grid.boundary)
            for code, grid in self.grids.items()
            if code not in shapes
        }
        everything = {**existing, **shapes}
        codes = list(everything)
        tree = STRtree([everything[code] for code in codes])
        warnings, seen = [], set()
        for code, shape in shapes.items():
            for index in tree.query(shape, predicate="intersects"):
                other = codes[index]
                pair = tuple(sorted((code, other)))
                if other == code or pair in seen:
                    continue
                seen.add(pair)
                overlap = shape.intersection(everything[other]).area
                smaller = min(shape.area, everything[other].area)
                if smaller and overlap / smaller > OVERLAP_TOLERANCE:
                    warnings.append(
                        _(
                            "Grid %(first)s overlaps grid %(second)s "
                            "(%(share)s of the smaller)."
                        )
                        % {
                            "first": pair[0],
                            "second": pair[1],
                            "share": f"{overlap / smaller:.0%}",
                        }
                    )
        return warnings


def _key_of(feature) -> str:
    if isinstance(feature, dict) and isinstance(feature.get("properties"), dict):
        properties = feature["properties"]
        return str(properties.get("code") or properties.get("name") or "")[:200]
    return ""


def _by_property(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            "geometry" if name == "boundary" else name: messages
            for name, messages in error.message_dict.items()
        }
    return {"": error.messages}


def export(*, user) -> tuple[bytes, int]:
    """The scope's areas and grids as a FeatureCollection that imports back."""
    features = []
    for area in (
        Area.objects.in_scope_of(user)
        .select_related("station")
        .exclude(boundary__isnull=True)
    ):
        features.append(
            _feature(
                area.boundary,
                layer="area",
                name=area.name,
                kind=area.kind,
                station=area.station.code,
            )
        )
    grids = Grid.objects.in_scope_of(user).select_related("area__station")
    for grid in grids.order_by("code"):
        features.append(
            _feature(
                grid.boundary,
                code=grid.code,
                name=grid.name,
                area=grid.area.name,
                area_kind=grid.area.kind,
                station=grid.area.station.code,
                population=grid.population,
                complexity=grid.complexity,
            )
        )
    collection = {"type": "FeatureCollection", "features": features}
    content = json.dumps(collection, ensure_ascii=False, indent=1).encode()
    return content, len(features)


def _feature(boundary: dict, **properties) -> dict:
    return {"type": "Feature", "geometry": boundary, "properties": properties}
