"""What every spreadsheet ledger does: round trips, headers, encodings,
whole-file refusals, templates, and no formula in or out (issue 27, item 2).
"""

import io

import openpyxl
import pytest

from grids.models import Household, Resident
from grids.tests.factories import ResidentFactory
from ledgers import sheets
from ledgers.base import LedgerFileError
from ledgers.models import LedgerImportRow
from ledgers.tests.workbooks import centre, counts, csv_rows, rows_of, sheet
from stations.models import Person, Post

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("entity", ["posts", "staff", "households", "residents"])
def test_an_exported_ledger_imports_back_unchanged(world, entity, file_format):
    chief = world.users["chief_s"]
    for n in range(3):
        ResidentFactory(household=world.households["A"], name=f"甲{n}")
    content, exported = sheets.export(entity, file_format, user=chief)
    before = counts()

    outcome = sheets.apply(content, f"x.{file_format}", entity, user=chief)

    assert outcome.totals == {"new": 0, "update": 0, "skip": exported, "invalid": 0}
    assert counts() == before


def test_one_bad_row_among_many_imports_nothing_and_is_reported(world):
    chief = world.users["chief_s"]
    grid = world.grids["A"]
    lon, lat = centre(grid)
    rows = [[f"幸福路{n}号", grid.code, lon, lat, 3] for n in range(30)]
    rows[17][4] = -2  # a negative member count
    before = counts()

    outcome = sheets.apply(sheet(rows), "x.xlsx", "households", user=chief)

    assert counts() == before
    bad = [row for row in outcome.rows if row.errors]
    assert [(row.number, row.errors[0]["column"]) for row in bad] == [(19, "户内人数")]
    assert outcome.totals["new"] == 29


def test_english_headers_are_read_like_chinese_ones(world):
    grid = world.grids["A"]
    content = sheet(
        [["Station Road 1", grid.code, "", "", 4]],
        headers=["Address", "Grid code", "Longitude", "Latitude", "Members"],
    )
    outcome = sheets.apply(content, "x.xlsx", "households", user=world.users["chief_s"])
    assert outcome.totals["new"] == 1
    assert Household.objects.get(address="Station Road 1").member_count == 4


def test_a_gbk_csv_from_chinese_excel_is_read(world):
    grid = world.grids["A"]
    text = f"标准地址,网格编码,户内人数\r\n和平路1号,{grid.code},2\r\n"
    outcome = sheets.check(
        text.encode("gb18030"), "x.csv", "households", user=world.users["chief_s"]
    )
    assert outcome.totals["new"] == 1
    assert outcome.rows[0].key == "和平路1号"


def test_a_missing_column_refuses_the_file(world):
    with pytest.raises(LedgerFileError, match="姓名"):
        sheets.check(
            sheet([["x"]], headers=["身份证号", "标准地址"]),
            "x.xlsx",
            "residents",
            user=world.users["chief_s"],
        )


def test_a_file_may_name_a_record_once(world):
    grid = world.grids["A"]
    rows = [["重复路1号", grid.code, "", "", 1], ["重复路1号", grid.code, "", "", 2]]
    outcome = sheets.check(
        sheet(rows), "x.xlsx", "households", user=world.users["chief_s"]
    )
    assert outcome.rows[1].action == LedgerImportRow.Action.INVALID
    assert "row 2" in outcome.rows[1].errors[0]["message"]


def test_templates_hold_the_headers_and_an_example(world):
    table = rows_of(sheets.template("residents"))
    assert table[0] == list(sheets.HEADERS["residents"])
    assert len(table) == 2


FORMULA = '=HYPERLINK("http://x.invalid","click")'


#: What a spreadsheet would run: each OWASP CSV-injection start, and one
#: already behind an apostrophe (it must come back with it).
FORMULAS = [FORMULA, "+1+1", "-2+3", "@SUM(A1)", "'=1+1"]


def store_formulas(world) -> None:
    """Names and addresses a spreadsheet would run, stored as a careless
    user (or an attacker) typed them."""
    Household.objects.filter(pk=world.households["A"].pk).update(address=FORMULA)
    Post.objects.filter(pk=world.posts["S"].pk).update(
        name="=1+1", opening_hours="@cmd"
    )
    Person.objects.filter(pk=world.persons["officer_a"].pk).update(
        name="=1+1", phone="+8613912340001"
    )
    Resident.objects.filter(pk=world.residents["A"].pk).update(name="-2+3")


@pytest.mark.parametrize("entity", ["posts", "staff", "households", "residents"])
def test_an_xlsx_export_writes_every_text_cell_as_text(world, entity):
    chief = world.users["chief_s"]
    store_formulas(world)

    content, _rows = sheets.export(entity, "xlsx", user=chief)

    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    texts = [c for c in cells if isinstance(c.value, str)]
    assert any(c.value[:1] in "=+-@" for c in texts)
    assert all(c.data_type == "s" for c in texts)
    assert not any(c.data_type == "f" for c in cells)


@pytest.mark.parametrize("entity", ["posts", "staff", "households", "residents"])
def test_a_csv_export_escapes_cells_a_spreadsheet_would_run(world, entity):
    chief = world.users["chief_s"]
    store_formulas(world)

    content, _rows = sheets.export(entity, "csv", user=chief)

    cells = [cell for row in csv_rows(content) for cell in row]
    assert any(cell.startswith("'") for cell in cells)
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("value", FORMULAS)
def test_escaped_cells_import_back_exactly(world, file_format, value):
    chief = world.users["chief_s"]
    Household.objects.filter(pk=world.households["A"].pk).update(address=value)
    Resident.objects.filter(pk=world.residents["A"].pk).update(name=value)
    for entity in ("households", "residents"):
        content, exported = sheets.export(entity, file_format, user=chief)
        outcome = sheets.apply(content, f"x.{file_format}", entity, user=chief)
        assert outcome.totals == {"new": 0, "update": 0, "skip": exported, "invalid": 0}
    assert Household.objects.get(pk=world.households["A"].pk).address == value
    assert Resident.objects.get(pk=world.residents["A"].pk).name == value


def test_templates_write_no_formula(world):
    for entity in sheets.HEADERS:
        sheet = openpyxl.load_workbook(io.BytesIO(sheets.template(entity))).active
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


@pytest.mark.parametrize(
    ("entity", "title"),
    [
        ("posts", "警务室台账"),
        ("staff", "警力台账"),
        ("households", "住户台账"),
        ("residents", "实有人口台账"),
    ],
)
def test_an_xlsx_ledger_is_named_and_wide_enough_to_read(world, entity, title):
    """The sheet bears the ledger's name and each column fits its Chinese
    header (issue 19, item 11), in the export and the template alike."""
    chief = world.users["chief_s"]
    content, _rows = sheets.export(entity, "xlsx", user=chief)
    for workbook in (content, sheets.template(entity)):
        sheet = openpyxl.load_workbook(io.BytesIO(workbook)).active
        assert sheet.title == title
        for cell in sheet[1]:
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= 2 * len(cell.value), (cell.value, width)
