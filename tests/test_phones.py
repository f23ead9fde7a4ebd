"""One phone-masking rule everywhere (issue 27, item 4).

A resident's phone is read in full only by the field staff of the resident's
grid; chiefs, bureau staff and superusers get ``139****0001`` in the API, the
admin and the exports. Staff phones follow the same rule (their own grid's
field staff and themselves). Full numbers: the audited reveal, or an export
with the ``grids.export_full_phones`` permission, which is logged.
"""

import csv
import io
import re

import openpyxl
import pytest
from django.contrib.auth.models import Permission

from grids.models import Resident
from grids.tests.factories import ResidentFactory
from ledgers import sheets
from ledgers.models import LedgerExport
from stations.models import Person

pytestmark = pytest.mark.django_db

PHONE = "13912340001"
MASKED = "139****0001"
MASK = re.compile(r"^1\d{2}\*{4}\d{4}$")


@pytest.fixture
def resident(world):
    return ResidentFactory(household=world.households["A"], phone=PHONE)


@pytest.mark.parametrize(
    ("user", "shown"),
    [
        ("officer_a", PHONE),  # the grid's own field staff
        ("auxiliary_a", PHONE),
        ("chief_s", MASKED),
        ("bureau_x", MASKED),
        ("superuser", MASKED),
    ],
)
def test_the_api_masks_resident_phones_but_for_the_grids_staff(
    world, client_for, resident, user, shown
):
    client = client_for(world.users[user])
    detail = client.get(f"/api/v1/residents/{resident.pk}/").json()
    listed = client.get("/api/v1/residents/").json()["results"]
    assert detail["phone"] == shown
    assert {row["phone"] for row in listed if row["id"] == resident.pk} == {shown}


def test_a_chief_writes_a_phone_and_reads_it_back_masked(world, client_for, resident):
    response = client_for(world.users["chief_s"]).patch(
        f"/api/v1/residents/{resident.pk}/", {"phone": "13800000002"}
    )
    assert response.status_code == 200
    assert response.json()["phone"] == "138****0002"
    resident.refresh_from_db()
    assert resident.phone == "13800000002"


@pytest.mark.parametrize(
    ("user", "masked"),
    [
        ("officer_a", False),  # own phone
        ("auxiliary_a", False),  # a colleague on grid A
        ("officer_b", True),  # another grid
        ("chief_s", True),
        ("bureau_x", True),
        ("superuser", True),
    ],
)
def test_the_api_masks_staff_phones_by_the_same_rule(world, client_for, user, masked):
    person = world.persons["officer_a"]
    Person.objects.filter(pk=person.pk).update(phone=PHONE)
    data = client_for(world.users[user]).get(f"/api/v1/persons/{person.pk}/").json()
    assert data["phone"] == (MASKED if masked else PHONE)


def test_the_admin_change_form_masks_the_phone(world, client, resident):
    chief = world.users["chief_s"]
    chief.is_staff = True
    chief.save()
    client.force_login(chief)
    html = client.get(f"/admin/grids/resident/{resident.pk}/change/").content.decode()
    assert PHONE not in html
    assert MASKED in html
    staff = world.persons["officer_a"]
    Person.objects.filter(pk=staff.pk).update(phone=PHONE)
    html = client.get(f"/admin/stations/person/{staff.pk}/change/").content.decode()
    assert PHONE not in html
    assert MASKED in html


def cells(content: bytes, file_format: str) -> list:
    if file_format == "csv":
        rows = csv.reader(io.StringIO(content.decode("utf-8-sig")))
        return [cell for row in rows for cell in row]
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [str(c.value) for row in sheet.iter_rows() for c in row]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("entity", ["residents", "staff"])
def test_exports_mask_phones_by_default(world, client, resident, entity, file_format):
    Person.objects.filter(pk=world.persons["officer_a"].pk).update(phone=PHONE)
    client.force_login(world.users["chief_s"])
    response = client.get(f"/ledgers/export/{entity}.{file_format}")
    values = cells(response.content, file_format)
    assert PHONE not in values
    assert MASKED in values
    assert not LedgerExport.objects.get().full_phones


def test_an_export_with_full_phones_needs_the_permission_and_is_logged(
    world, client, resident
):
    chief = world.users["chief_s"]
    client.force_login(chief)
    url = "/ledgers/export/residents.xlsx?phones=full"
    assert client.get(url).status_code == 403
    assert not LedgerExport.objects.exists()

    chief.user_permissions.add(Permission.objects.get(codename="export_full_phones"))
    response = client.get(url)
    assert response.status_code == 200
    assert PHONE in cells(response.content, "xlsx")
    record = LedgerExport.objects.get()
    assert (record.exported_by, record.full_phones) == (chief, True)


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize("entity", ["residents", "staff"])
def test_a_masked_export_imports_back_unchanged(world, resident, entity, file_format):
    chief = world.users["chief_s"]
    Person.objects.filter(pk=world.persons["officer_a"].pk).update(phone=PHONE)
    content, exported = sheets.export(entity, file_format, user=chief)
    outcome = sheets.apply(content, f"x.{file_format}", entity, user=chief)
    assert outcome.totals == {"new": 0, "update": 0, "skip": exported, "invalid": 0}
    resident.refresh_from_db()
    assert resident.phone == PHONE
    assert Person.objects.get(pk=world.persons["officer_a"].pk).phone == PHONE


def test_a_masked_phone_of_another_number_is_an_error(world, resident):
    chief = world.users["chief_s"]
    content, _rows = sheets.export("residents", "csv", user=chief)
    content = content.replace(MASKED.encode(), b"139****9999")
    outcome = sheets.apply(content, "x.csv", "residents", user=chief)
    assert outcome.totals["invalid"] == 1
    assert Resident.objects.get(pk=resident.pk).phone == PHONE


def test_every_phone_a_chief_reads_in_the_api_is_masked(world, client_for, resident):
    """A sweep: residents, persons, disputes' and cases' parties."""
    client = client_for(world.users["chief_s"])
    phones = []
    for path in ("residents", "persons", "disputes", "cases"):
        for row in client.get(f"/api/v1/{path}/").json()["results"]:
            phones += [row.get("phone")] + [
                party.get("phone") for party in row.get("parties", [])
            ]
    phones = [phone for phone in phones if phone]
    assert phones
    assert all(MASK.match(phone) or phone.startswith("*") for phone in phones)
