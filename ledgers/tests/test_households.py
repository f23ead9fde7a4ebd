"""The households ledger: grids by code or by point, inside the scope."""

import pytest

from grids.models import Household
from grids.tests.factories import GridFactory, HouseholdFactory
from ledgers import sheets
from ledgers.models import LedgerImportRow
from ledgers.tests.workbooks import centre, rows_of, sheet

pytestmark = pytest.mark.django_db


def test_an_edited_export_updates_creates_and_leaves_the_rest(world):
    chief = world.users["chief_s"]
    content, _rows = sheets.export("households", "xlsx", user=chief)
    table = rows_of(content)
    table[1][4] = 7  # members of the first household
    lon, lat = centre(world.grids["B"])
    table.append(["新建路9号", "", lon, lat, 2])  # placed by its point
    outcome = sheets.apply(sheet(table[1:]), "x.xlsx", "households", user=chief)

    assert outcome.totals == {"new": 1, "update": 1, "skip": 1, "invalid": 0}
    assert Household.objects.get(address=table[1][0]).member_count == 7
    assert Household.objects.get(address="新建路9号").grid == world.grids["B"]


def test_a_row_naming_another_stations_grid_is_an_error(world):
    """Grid C is station T's: for chief S it does not exist."""
    outcome = sheets.check(
        sheet([["外站路1号", world.grids["C"].code, "", "", 1]]),
        "x.xlsx",
        "households",
        user=world.users["chief_s"],
    )
    assert outcome.rows[0].action == LedgerImportRow.Action.INVALID
    assert outcome.rows[0].errors[0]["column"] == "网格编码"
    # The same row is fine for the bureau, whose scope holds grid C.
    bureau = sheets.check(
        sheet([["外站路1号", world.grids["C"].code, "", "", 1]]),
        "x.xlsx",
        "households",
        user=world.users["bureau_x"],
    )
    assert bureau.totals["new"] == 1


def test_a_point_outside_the_scope_is_an_error(world):
    lon, lat = centre(world.grids["C"])
    outcome = sheets.check(
        sheet([["外站路2号", "", lon, lat, 1]]),
        "x.xlsx",
        "households",
        user=world.users["chief_s"],
    )
    assert outcome.rows[0].errors[0]["column"] == "经度"


def test_the_household_export_names_each_grid(world):
    HouseholdFactory(
        grid=GridFactory(area=world.areas["A"], code="Z-9"), address="末路1号"
    )
    content, rows = sheets.export("households", "xlsx", user=world.users["chief_s"])
    assert rows_of(content)[-1][:2] == ["末路1号", "Z-9"] or any(
        row[:2] == ["末路1号", "Z-9"] for row in rows_of(content)
    )
    assert rows == 3
