"""The residents ledger: national IDs checked, encrypted, matched and masked."""

import json

import pytest

from grids import national_id
from grids.models import Resident
from grids.tests.factories import valid_id_number
from ledgers import sheets
from ledgers.tests.workbooks import rows_of, sheet

pytestmark = pytest.mark.django_db


def test_an_export_holds_the_scope_only_and_masks_ids(world):
    content, rows = sheets.export("residents", "xlsx", user=world.users["chief_s"])
    table = rows_of(content)
    assert table[0] == list(sheets.HEADERS["residents"])
    addresses = {row[3] for row in table[1:]}
    assert addresses == {world.households["A"].address, world.households["B"].address}
    assert all("*" in row[1] for row in table[1:])
    assert rows == 2


def resident_rows(*rows) -> bytes:
    return sheet([list(row) for row in rows], headers=list(sheets.HEADERS["residents"]))


def test_residents_national_ids_are_checked_encrypted_and_found_by_hash(world):
    address = world.households["A"].address
    good, bad = valid_id_number(901), valid_id_number(902)[:-1] + "0"
    content = resident_rows(
        ["王五", good, "13900139000", address, "是", "吸毒人员"],
        ["赵六", bad, "", address, "否", ""],
    )
    chief = world.users["chief_s"]
    outcome = sheets.check(content, "x.xlsx", "residents", user=chief)
    assert [row.action for row in outcome.rows] == ["new", "invalid"]
    assert outcome.rows[1].errors[0]["column"] == "身份证号"
    assert good not in json.dumps([row.key for row in outcome.rows])

    sheets.apply(
        resident_rows(outcome_row(content, 0)), "x.xlsx", "residents", user=chief
    )
    resident = Resident.objects.get(name="王五")
    assert resident.id_number_encrypted != good
    assert national_id.decrypt(resident.id_number_encrypted) == good
    assert resident.key_person_category == Resident.KeyPersonCategory.DRUG_USER
    assert Resident.objects.filter(
        id_number_hash=national_id.blind_index(good)
    ).exists()


def outcome_row(content: bytes, index: int) -> list:
    return rows_of(content)[index + 1]


def test_a_resident_is_matched_by_national_id_and_updated(world):
    resident = world.residents["A"]
    number = national_id.decrypt(resident.id_number_encrypted)
    content = resident_rows(
        [resident.name, number, "13700137000", resident.household.address, "否", ""]
    )
    outcome = sheets.apply(content, "x.xlsx", "residents", user=world.users["chief_s"])
    assert outcome.totals["update"] == 1
    resident.refresh_from_db()
    assert resident.phone == "13700137000"


def test_an_unknown_category_names_the_choices(world):
    content = resident_rows(
        [
            "王七",
            valid_id_number(903),
            "",
            world.households["A"].address,
            "是",
            "外星人",
        ]
    )
    outcome = sheets.check(content, "x.xlsx", "residents", user=world.users["chief_s"])
    error = outcome.rows[0].errors[0]
    assert error["column"] == "重点人员类别"
    assert "刑满释放人员" in error["message"]
