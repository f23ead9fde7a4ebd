"""The ledger page in a real browser: export, edit, check, read the preview, apply."""

import io

import openpyxl
import pytest

from grids.models import Household
from ledgers.models import LedgerImport

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.db_independent]


def test_a_chief_edits_the_exported_households_and_applies_them(
    page, live_server, world, offsite_requests, page_errors, tmp_path
):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "chief_s")
    page.fill("input[name=password]", "correct-horse-battery-staple")
    page.click("main button[type=submit]")
    page.click("nav a[href='/ledgers/']")

    with page.expect_download() as download:
        page.click("a[href='/ledgers/export/households.xlsx']")
    book = openpyxl.load_workbook(io.BytesIO(download.value.path().read_bytes()))
    sheet = book.active
    address = sheet["A2"].value
    sheet["E2"] = 8  # members of the first household
    sheet["D3"] = "north"  # not a number: an error in row 3
    edited = tmp_path / "households.xlsx"
    book.save(edited)

    def check(path):
        page.goto(f"{live_server.url}/ledgers/")
        page.select_option("select[name=entity]", "households")
        page.set_input_files("input[name=file]", str(path))
        page.click("[data-ledger-upload] button[type=submit]")
        page.wait_for_url(f"{live_server.url}/ledgers/*/")

    check(edited)
    assert page.locator('[data-total="invalid"]').inner_text() == "1"
    error_row = page.locator('.ledger-rows tr[data-row="3"]')
    assert "纬度" in error_row.inner_text() or "经度" in error_row.inner_text()
    assert page.locator("[data-confirm]").count() == 0

    sheet["D3"] = sheet["D2"].value  # the same latitude as it had: unchanged
    book.save(edited)
    check(edited)
    assert page.locator('[data-total="update"]').inner_text() == "1"
    assert page.locator('[data-total="skip"]').inner_text() == "1"
    assert page.locator('[data-total="invalid"]').inner_text() == "0"
    assert Household.objects.get(address=address).member_count != 8

    page.click("[data-confirm] button[type=submit]")
    page.locator("[data-status]").filter(has_text="已导入").wait_for()
    assert Household.objects.get(address=address).member_count == 8
    assert LedgerImport.objects.filter(status="applied").count() == 1
    assert page_errors == []
    assert offsite_requests == []
