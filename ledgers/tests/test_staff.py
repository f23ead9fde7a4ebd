"""The staff ledger: postings kept as history, chiefs the bureau's to make."""

import datetime

import pytest
from django.utils import timezone

from grids.tests.factories import GridFactory
from ledgers import sheets
from ledgers.tests.workbooks import sheet

pytestmark = pytest.mark.django_db


def staff_rows(*rows) -> bytes:
    return sheet([list(row) for row in rows], headers=list(sheets.HEADERS["staff"]))


def test_moving_an_officer_ends_the_old_posting_and_starts_the_new(world):
    station, officer = world.stations["S"], world.persons["officer_b"]
    new_grid = GridFactory(area=world.areas["A"], code="S-NEW")
    start = timezone.localdate() + datetime.timedelta(days=7)
    content = staff_rows(
        [
            station.code,
            officer.name,
            "民警",
            "",
            "",
            "否",
            "S-NEW",
            "",
            "责任民警",
            start,
        ]
    )
    outcome = sheets.apply(content, "x.xlsx", "staff", user=world.users["chief_s"])
    assert outcome.totals["update"] == 1, outcome.rows[0].errors
    postings = list(officer.assignments.order_by("start").values_list("grid", "end"))
    assert postings[-1] == (new_grid.pk, None)
    assert postings[-2][1] == start - datetime.timedelta(days=1)


def test_a_second_responsible_officer_is_refused_in_the_role_column(world):
    station = world.stations["S"]
    content = staff_rows(
        [
            station.code,
            "新警",
            "民警",
            "9001",
            "",
            "否",
            world.grids["A"].code,
            "",
            "责任民警",
            "",
        ]
    )
    outcome = sheets.check(content, "x.xlsx", "staff", user=world.users["chief_s"])
    assert outcome.rows[0].errors[0]["column"] == "职责"
    assert "officer_a" in outcome.rows[0].errors[0]["message"]


def test_a_chief_cannot_import_bureau_staff_or_another_stations(world):
    content = staff_rows(
        ["", "县局人员", "民警", "", "", "否", "", "", "", ""],
        [world.stations["T"].code, "外站人员", "民警", "", "", "否", "", "", "", ""],
    )
    outcome = sheets.check(content, "x.xlsx", "staff", user=world.users["chief_s"])
    assert [row.errors[0]["column"] for row in outcome.rows] == ["派出所编码"] * 2
    bureau = sheets.check(content, "x.xlsx", "staff", user=world.users["bureau_x"])
    assert bureau.totals["new"] == 2


def test_a_chief_cannot_make_a_chief_by_import(world):
    """Issue 27, item 6: the 所长 column is the bureau's to change."""
    person = world.persons["officer_a"]
    row = ["", person.name, "民警", person.badge_number, person.phone, "是"]
    headers = ["派出所编码", "姓名", "类别", "警号", "联系电话", "所长"]
    row[0] = world.stations["S"].code
    content = sheet([row], headers=headers)

    refused = sheets.apply(content, "x.xlsx", "staff", user=world.users["chief_s"])
    assert refused.totals["invalid"] == 1
    assert refused.rows[0].errors[0]["column"] == "所长"
    person.refresh_from_db()
    assert not person.is_chief

    sheets.apply(content, "x.xlsx", "staff", user=world.users["bureau_x"])
    person.refresh_from_db()
    assert person.is_chief
