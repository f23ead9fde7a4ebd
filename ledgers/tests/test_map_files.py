"""Grids and areas in GeoJSON: geometry checked, overlaps reported."""

import json

import pytest

from grids.models import Grid
from grids.tests.factories import square
from ledgers import map_files
from ledgers.base import LedgerFileError

pytestmark = pytest.mark.django_db


def feature(boundary: dict, **properties) -> dict:
    return {"type": "Feature", "geometry": boundary, "properties": properties}


def collection(*features) -> bytes:
    return json.dumps(
        {"type": "FeatureCollection", "features": list(features)}
    ).encode()


BOW_TIE = {
    "type": "Polygon",
    "coordinates": [
        [[120, 30], [120.01, 30.01], [120.01, 30], [120, 30.01], [120, 30]]
    ],
}


def test_a_bow_tie_grid_is_refused_with_its_index_and_reason(world):
    content = collection(
        feature(square(120.1, 30.1), code="NEW-1", name="新网格", area="新社区"),
        feature(BOW_TIE, code="NEW-2", name="蝴蝶网格", area="新社区"),
    )
    before = Grid.objects.count()
    outcome = map_files.apply(content, user=world.users["chief_s"])
    assert Grid.objects.count() == before
    bad = [row for row in outcome.rows if row.errors]
    assert [row.number for row in bad] == [1]
    assert bad[0].errors[0]["column"] == "geometry"
    assert (
        "not valid" in bad[0].errors[0]["message"]
        or "无效" in bad[0].errors[0]["message"]
    )


def test_grids_and_a_new_area_are_imported_and_overlaps_reported(world):
    station = world.stations["S"]
    content = collection(
        feature(square(121, 31), code="NEW-1", name="一网格", area="新社区"),
        feature(square(121.005, 31), code="NEW-2", name="二网格", area="新社区"),
    )
    outcome = map_files.apply(content, user=world.users["chief_s"])
    assert outcome.totals["new"] == 2
    assert len(outcome.warnings) == 1 and "NEW-1" in outcome.warnings[0]
    grid = Grid.objects.get(code="NEW-2")
    assert grid.area.station == station and grid.area.name == "新社区"


def test_an_exported_map_imports_back_unchanged(world):
    chief = world.users["chief_s"]
    content, features = map_files.export(user=chief)
    assert features == 2
    outcome = map_files.apply(content, user=chief)
    assert outcome.totals == {"new": 0, "update": 0, "skip": 2, "invalid": 0}


def test_a_grid_code_of_another_station_is_refused(world):
    content = collection(feature(square(122, 32), code=world.grids["C"].code))
    outcome = map_files.check(content, user=world.users["chief_s"])
    assert outcome.rows[0].errors[0]["column"] == "code"


def test_a_file_that_is_not_geojson_is_refused(world):
    with pytest.raises(LedgerFileError):
        map_files.check(b"<kml/>", user=world.users["chief_s"])
